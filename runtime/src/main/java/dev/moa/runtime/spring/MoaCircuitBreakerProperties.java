package dev.moa.runtime.spring;

import dev.moa.provider.CircuitBreakerSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.circuit-breaker.*}: the circuit breaker of each provider (see {@link
 * CircuitBreakerSettings}); unset fields keep its defaults.
 *
 * @param enabled false: no breaker
 * @param failureRatePercent opens when at least this share of the last {@code window} attempts
 *     failed with a provider fault
 * @param window attempts in the sliding window
 * @param minimumCalls attempts before the failure rate counts
 * @param openFor how long an open breaker refuses attempts
 * @param halfOpenCalls trial attempts before it closes again
 */
@ConfigurationProperties("moa.circuit-breaker")
public record MoaCircuitBreakerProperties(
    Boolean enabled,
    Float failureRatePercent,
    Integer window,
    Integer minimumCalls,
    Duration openFor,
    Integer halfOpenCalls) {

  /** The settings, with defaults for what is unset; a bad value names its property. */
  public CircuitBreakerSettings settings() {
    CircuitBreakerSettings d = CircuitBreakerSettings.defaults();
    try {
      return new CircuitBreakerSettings(
          enabled == null ? d.enabled() : enabled,
          failureRatePercent == null ? d.failureRatePercent() : failureRatePercent,
          window == null ? d.window() : window,
          minimumCalls == null ? d.minimumCalls() : minimumCalls,
          openFor == null ? d.openFor() : openFor,
          halfOpenCalls == null ? d.halfOpenCalls() : halfOpenCalls);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("moa.circuit-breaker: " + e.getMessage(), e);
    }
  }
}
