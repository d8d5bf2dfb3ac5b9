package dev.moa.provider;

import java.util.Locale;

/** Why a call failed. {@link #wireName()} is the stable lower-case name used in messages. */
public enum ErrorClass {
  HTTP_408(true),
  HTTP_409(true),
  HTTP_429(true),
  HTTP_5XX(true),
  HTTP_4XX(false),
  TIMEOUT(true),
  CONNECTION(true),
  MALFORMED_STREAM(true),
  TRUNCATED_STREAM(true),
  /** The provider's circuit breaker is open: the attempt was not sent. */
  CIRCUIT_OPEN(true),
  INTERNAL(false);

  private final boolean retryable;
  private final String wireName;

  ErrorClass(boolean retryable) {
    this.retryable = retryable;
    this.wireName = name().toLowerCase(Locale.ROOT);
  }

  /** E.g. {@code "http_429"}, {@code "http_5xx"}, {@code "timeout"}. */
  public String wireName() {
    return wireName;
  }

  public boolean retryable() {
    return retryable;
  }

  /**
   * True for failures that say the provider is unwell and count against its circuit breaker: 5xx,
   * 408, timeouts, connection failures and broken streams. 429, 409 and other 4xx do not: the
   * provider answered sensibly.
   */
  public boolean providerFault() {
    return switch (this) {
      case HTTP_5XX, HTTP_408, TIMEOUT, CONNECTION, MALFORMED_STREAM, TRUNCATED_STREAM -> true;
      default -> false;
    };
  }

  /** Class of an HTTP error status; {@link #INTERNAL} for statuses that are not 4xx or 5xx. */
  public static ErrorClass fromHttpStatus(int status) {
    return switch (status) {
      case 408 -> HTTP_408;
      case 409 -> HTTP_409;
      case 429 -> HTTP_429;
      default -> {
        if (status >= 500 && status <= 599) {
          yield HTTP_5XX;
        }
        if (status >= 400 && status <= 499) {
          yield HTTP_4XX;
        }
        yield INTERNAL;
      }
    };
  }

  /** Inverse of {@link #wireName()}. */
  public static ErrorClass fromWireName(String wireName) {
    for (ErrorClass c : values()) {
      if (c.wireName.equals(wireName)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown error class '" + wireName + "'");
  }
}
