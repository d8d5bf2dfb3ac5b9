package dev.moa.cli;

/** An error the user can fix: printed as one line, no stack trace, with its exit code. */
public final class UserError extends RuntimeException {

  public static final int USAGE = 2;
  public static final int KAFKA = 3;
  public static final int FAILED = 1;

  private final int exitCode;

  public UserError(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
