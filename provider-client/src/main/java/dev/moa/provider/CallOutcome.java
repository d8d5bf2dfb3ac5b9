package dev.moa.provider;

import java.util.Objects;

/** Result of {@link ProviderClient#chat}: always one of these, never an exception. */
public sealed interface CallOutcome permits CallOutcome.Succeeded, CallOutcome.Failed {

  CallTimings timings();

  default boolean succeeded() {
    return this instanceof Succeeded;
  }

  static Succeeded succeeded(
      String content, Usage usage, CallTimings timings, String finishReason, String model) {
    return new Succeeded(content, usage, timings, finishReason, model);
  }

  static Failed failed(
      ErrorClass errorClass, String message, Integer httpStatus, CallTimings timings) {
    return new Failed(errorClass, message, httpStatus, timings);
  }

  /**
   * @param finishReason the last {@code finish_reason} the server sent; null if none
   * @param model the model the server reported, else the requested one
   */
  record Succeeded(
      String content, Usage usage, CallTimings timings, String finishReason, String model)
      implements CallOutcome {
    public Succeeded {
      Objects.requireNonNull(content, "content");
      usage = usage == null ? Usage.ZERO : usage;
      Objects.requireNonNull(timings, "timings");
    }
  }

  /**
   * @param httpStatus the HTTP status (or in-stream error code) when there was one, else null
   */
  record Failed(ErrorClass errorClass, String message, Integer httpStatus, CallTimings timings)
      implements CallOutcome {
    public Failed {
      Objects.requireNonNull(errorClass, "errorClass");
      message = message == null ? errorClass.wireName() : message;
      Objects.requireNonNull(timings, "timings");
    }
  }
}
