package dev.moa.runtime.model;

/** A task with an impossible value (empty messages, max_tokens &lt; 1, ...): never called. */
public final class InvalidTaskException extends TaskRejectedException {

  public static final String ERROR_CLASS = "invalid_task";

  public InvalidTaskException(String message) {
    super(ERROR_CLASS, message);
  }
}
