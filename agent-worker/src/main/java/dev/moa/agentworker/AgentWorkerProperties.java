package dev.moa.agentworker;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.agent-worker.*}.
 *
 * @param concurrency consumers (each on its own thread)
 * @param maxInFlight the most tasks one consumer has in flight; at this count it stops fetching
 *     until one finishes
 * @param drainTimeout on shutdown, how long in-flight calls may take to finish and commit
 * @param callTimeout bound on one model call, retries included
 * @param idleTimeout longest wait for a model's first byte and between stream chunks; a stalled
 *     stream is retried after it
 */
@ConfigurationProperties("moa.agent-worker")
public record AgentWorkerProperties(
    Integer concurrency,
    Integer maxInFlight,
    Duration drainTimeout,
    Duration callTimeout,
    Duration idleTimeout) {

  public AgentWorkerProperties {
    concurrency = concurrency == null ? 2 : concurrency;
    maxInFlight = maxInFlight == null ? 512 : maxInFlight;
    drainTimeout = drainTimeout == null ? Duration.ofSeconds(30) : drainTimeout;
    callTimeout = callTimeout == null ? Duration.ofMinutes(10) : callTimeout;
    idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
    if (concurrency < 1) {
      throw new IllegalArgumentException(
          "moa.agent-worker.concurrency must be >= 1 but was " + concurrency);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException(
          "moa.agent-worker.max-in-flight must be >= 1 but was " + maxInFlight);
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "moa.agent-worker.drain-timeout must be >= 0 but was " + drainTimeout);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException(
          "moa.agent-worker.call-timeout must be > 0 but was " + callTimeout);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "moa.agent-worker.idle-timeout must be > 0 but was " + idleTimeout);
    }
  }
}
