package dev.moa.runtime.model;

/** The environment variable a provider's key should come from is unset or blank. */
public final class MissingApiKeyException extends TaskRejectedException {

  public static final String ERROR_CLASS = "missing_key";

  private final String variable;

  public MissingApiKeyException(String provider, String variable) {
    super(
        ERROR_CLASS,
        "provider "
            + provider
            + ": environment variable "
            + variable
            + " (its API key) is not set or blank");
    this.variable = variable;
  }

  /** The name of the missing variable (never its value). */
  public String variable() {
    return variable;
  }
}
