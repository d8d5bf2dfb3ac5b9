package dev.moa.provider;

import java.time.Duration;

/**
 * Told before every retry, and of every circuit-breaker state; for metrics and logs. Called on I/O
 * threads: never block.
 */
@FunctionalInterface
public interface RetryListener {
  /**
   * @param attempt the 1-based attempt that just failed
   * @param cause why it failed
   * @param delay how long the client waits before the next attempt
   */
  void onRetry(Endpoint endpoint, String model, int attempt, ErrorClass cause, Duration delay);

  /**
   * A provider's circuit breaker is in {@code state} ({@code CLOSED}, {@code OPEN}, {@code
   * HALF_OPEN}): told when the breaker is created (CLOSED) and on every transition.
   */
  default void onCircuitState(String provider, String state) {}

  static RetryListener none() {
    return Listeners.NO_RETRY;
  }
}
