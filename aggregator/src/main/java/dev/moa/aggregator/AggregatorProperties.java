package dev.moa.aggregator;

import java.time.Duration;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.aggregator.*}.
 *
 * @param concurrency consumer threads
 * @param maxBatch max.poll.records: aggregate tasks called in parallel per batch and thread
 * @param callTimeout bound on one aggregator call, retries included; a batch waits at most this
 *     long (plus a margin) for its calls
 * @param idleTimeout longest wait for the model's first byte and between stream chunks; a stalled
 *     stream is retried after it
 * @param drainTimeout on shutdown, how long a batch in progress may take to finish and commit
 * @param instanceId this instance's stable name (e.g. the pod name) for its transactional ids; a
 *     restarted instance with the same id fences its predecessor's open transactions at once.
 *     Defaults to a random id.
 */
@ConfigurationProperties("moa.aggregator")
public record AggregatorProperties(
    Integer concurrency,
    Integer maxBatch,
    Duration callTimeout,
    Duration idleTimeout,
    Duration drainTimeout,
    String instanceId) {

  public AggregatorProperties {
    concurrency = concurrency == null ? 2 : concurrency;
    maxBatch = maxBatch == null ? 64 : maxBatch;
    callTimeout = callTimeout == null ? Duration.ofMinutes(5) : callTimeout;
    idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
    drainTimeout = drainTimeout == null ? Duration.ofSeconds(30) : drainTimeout;
    instanceId =
        instanceId == null || instanceId.isBlank()
            ? UUID.randomUUID().toString().substring(0, 8)
            : instanceId.strip();
    if (concurrency < 1) {
      throw new IllegalArgumentException(
          "moa.aggregator.concurrency must be >= 1 but was " + concurrency);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException(
          "moa.aggregator.max-batch must be >= 1 but was " + maxBatch);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException(
          "moa.aggregator.call-timeout must be > 0 but was " + callTimeout);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "moa.aggregator.idle-timeout must be > 0 but was " + idleTimeout);
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "moa.aggregator.drain-timeout must be >= 0 but was " + drainTimeout);
    }
  }

  /** {@code moa-aggregator-<instance id>-}. */
  public String transactionIdPrefix() {
    return "moa-aggregator-" + instanceId + "-";
  }
}
