package dev.moa.provider;

import java.util.function.Function;

/** A classified failure of one attempt; internal, turned into a {@link CallOutcome.Failed}. */
final class AttemptFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorClass errorClass;
  private final Integer httpStatus;
  private final transient Function<String, String> responseHeader;

  AttemptFailure(ErrorClass errorClass, String message) {
    this(errorClass, message, null, null);
  }

  AttemptFailure(
      ErrorClass errorClass,
      String message,
      Integer httpStatus,
      Function<String, String> responseHeader) {
    super(message, null, false, false);
    this.errorClass = errorClass;
    this.httpStatus = httpStatus;
    this.responseHeader = responseHeader;
  }

  ErrorClass errorClass() {
    return errorClass;
  }

  Integer httpStatus() {
    return httpStatus;
  }

  /** Header lookup of the failed response, or null when there was no response. */
  Function<String, String> responseHeader() {
    return responseHeader;
  }
}
