package dev.moa.runtime.consume;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How an {@link AsyncRecordConsumer} runs.
 *
 * @param topic the topic to subscribe to; undecodable records go to {@code <topic>-dlt}
 * @param groupId consumer group
 * @param name name of the consumer's thread and value of its metrics' {@code consumer} tag
 * @param maxInFlight most records handed out and not finished; at this count the consumer pauses
 *     its partitions (the only reason it ever pauses)
 * @param maxPollRecords {@code max.poll.records} (capped at {@code maxInFlight})
 * @param pollTimeout longest poll; also the longest delay before a completion is seen
 * @param commitInterval least time between two asynchronous commits
 * @param retryBackoff delay before a failed record is handled again; doubles per failure
 * @param maxRetryBackoff upper bound of that delay
 * @param drainTimeout how long {@link AsyncRecordConsumer#close()} waits for in-flight records
 * @param consumerProperties extra consumer configs, applied last
 */
public record AsyncConsumerOptions(
    String topic,
    String groupId,
    String name,
    int maxInFlight,
    int maxPollRecords,
    Duration pollTimeout,
    Duration commitInterval,
    Duration retryBackoff,
    Duration maxRetryBackoff,
    Duration drainTimeout,
    Map<String, Object> consumerProperties) {

  public AsyncConsumerOptions {
    requireText("topic", topic);
    requireText("groupId", groupId);
    requireText("name", name);
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " must be >= 1");
    }
    if (maxPollRecords < 1) {
      throw new IllegalArgumentException("maxPollRecords: " + maxPollRecords + " must be >= 1");
    }
    requirePositive("pollTimeout", pollTimeout);
    requireNotNegative("commitInterval", commitInterval);
    requirePositive("retryBackoff", retryBackoff);
    requirePositive("maxRetryBackoff", maxRetryBackoff);
    if (maxRetryBackoff.compareTo(retryBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxRetryBackoff: " + maxRetryBackoff + " must be >= retryBackoff " + retryBackoff);
    }
    requireNotNegative("drainTimeout", drainTimeout);
    consumerProperties = consumerProperties == null ? Map.of() : Map.copyOf(consumerProperties);
  }

  public static Builder builder(String topic, String groupId) {
    return new Builder(topic, groupId);
  }

  public Builder toBuilder() {
    return new Builder(topic, groupId)
        .name(name)
        .maxInFlight(maxInFlight)
        .maxPollRecords(maxPollRecords)
        .pollTimeout(pollTimeout)
        .commitInterval(commitInterval)
        .retryBackoff(retryBackoff)
        .maxRetryBackoff(maxRetryBackoff)
        .drainTimeout(drainTimeout)
        .consumerProperties(consumerProperties);
  }

  private static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": '" + value + "' must not be blank");
    }
  }

  private static void requirePositive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + ": " + value + " must be > 0");
    }
  }

  private static void requireNotNegative(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + ": " + value + " must be >= 0");
    }
  }

  public static final class Builder {
    private final String topic;
    private final String groupId;
    private String name;
    private int maxInFlight = 512;
    private int maxPollRecords = 500;
    private Duration pollTimeout = Duration.ofMillis(50);
    private Duration commitInterval = Duration.ofMillis(50);
    private Duration retryBackoff = Duration.ofMillis(100);
    private Duration maxRetryBackoff = Duration.ofSeconds(10);
    private Duration drainTimeout = Duration.ofSeconds(30);
    private Map<String, Object> consumerProperties = Map.of();

    private Builder(String topic, String groupId) {
      this.topic = topic;
      this.groupId = groupId;
      this.name = topic + "-consumer";
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    public Builder maxPollRecords(int maxPollRecords) {
      this.maxPollRecords = maxPollRecords;
      return this;
    }

    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
      return this;
    }

    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = commitInterval;
      return this;
    }

    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
      return this;
    }

    public Builder maxRetryBackoff(Duration maxRetryBackoff) {
      this.maxRetryBackoff = maxRetryBackoff;
      return this;
    }

    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
      return this;
    }

    public Builder consumerProperties(Map<String, Object> consumerProperties) {
      this.consumerProperties = consumerProperties;
      return this;
    }

    public AsyncConsumerOptions build() {
      return new AsyncConsumerOptions(
          topic,
          groupId,
          name,
          maxInFlight,
          maxPollRecords,
          pollTimeout,
          commitInterval,
          retryBackoff,
          maxRetryBackoff,
          drainTimeout,
          consumerProperties);
    }
  }
}
