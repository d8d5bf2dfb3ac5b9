package dev.moa.provider;

import java.time.Duration;

/** Told before every retry; for metrics and logs. Called on I/O threads: never block. */
@FunctionalInterface
public interface RetryListener {
  /**
   * @param attempt the 1-based attempt that just failed
   * @param cause why it failed
   * @param delay how long the client waits before the next attempt
   */
  void onRetry(Endpoint endpoint, String model, int attempt, ErrorClass cause, Duration delay);

  static RetryListener none() {
    return Listeners.NO_RETRY;
  }
}
