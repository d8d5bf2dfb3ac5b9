package dev.moa.runtime.model;

/**
 * A task that is not called at all: its result is FAILED with {@link #errorClass()} and this
 * exception's message. Messages name fields and environment variables, never key values.
 */
public class TaskRejectedException extends RuntimeException {

  private final String errorClass;

  public TaskRejectedException(String errorClass, String message) {
    super(message);
    this.errorClass = errorClass;
  }

  /** The stable error class for {@code CallError.error_class}. */
  public String errorClass() {
    return errorClass;
  }
}
