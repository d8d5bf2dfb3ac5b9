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
