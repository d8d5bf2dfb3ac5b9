package dev.moa.provider;

import java.time.Duration;

/**
 * The circuit breaker of each provider (resilience4j, count-based window): it opens when at least
 * {@code failureRatePercent} of the last {@code window} attempts (after {@code minimumCalls})
 * failed with a provider fault (5xx, 408, connection, timeout, truncated or malformed stream; not
 * 429/409/4xx, which say nothing about the provider's health), stays open {@code openFor} —
 * attempts then fail at once as {@link ErrorClass#CIRCUIT_OPEN}, retried with back-off like any
 * retryable cause — and lets {@code halfOpenCalls} trial attempts through before closing again.
 *
 * @param enabled false: no breaker
 */
public record CircuitBreakerSettings(
    boolean enabled,
    float failureRatePercent,
    int window,
    int minimumCalls,
    Duration openFor,
    int halfOpenCalls) {

  public CircuitBreakerSettings {
    if (!(failureRatePercent > 0 && failureRatePercent <= 100)) {
      throw new IllegalArgumentException(
          "failureRatePercent must be within (0, 100] but was " + failureRatePercent);
    }
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1 but was " + window);
    }
    if (minimumCalls < 1) {
      throw new IllegalArgumentException("minimumCalls must be >= 1 but was " + minimumCalls);
    }
    if (openFor == null || openFor.isNegative() || openFor.isZero()) {
      throw new IllegalArgumentException("openFor must be a duration > 0 but was " + openFor);
    }
    if (halfOpenCalls < 1) {
      throw new IllegalArgumentException("halfOpenCalls must be >= 1 but was " + halfOpenCalls);
    }
  }

  /** 50 % of the last 50 attempts (at least 20), open 10 s, 3 trial attempts. */
  public static CircuitBreakerSettings defaults() {
    return new CircuitBreakerSettings(true, 50f, 50, 20, Duration.ofSeconds(10), 3);
  }

  public static CircuitBreakerSettings disabled() {
    return new CircuitBreakerSettings(false, 50f, 50, 20, Duration.ofSeconds(10), 3);
  }
}
