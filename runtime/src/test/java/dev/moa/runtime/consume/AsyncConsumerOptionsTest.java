package dev.moa.runtime.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.junit.jupiter.api.Test;

class AsyncConsumerOptionsTest {

  static AsyncConsumerOptions.Builder builder() {
    return AsyncConsumerOptions.builder("moa.agent-tasks", "moa-agent-workers");
  }

  @Test
  void defaultsAreShortPollsAndCommitsAndFiveHundredRecordsPerPoll() {
    AsyncConsumerOptions o = builder().build();

    assertThat(o.name()).isEqualTo("moa.agent-tasks-consumer");
    assertThat(o.maxInFlight()).isEqualTo(512);
    assertThat(o.maxPollRecords()).isEqualTo(500);
    assertThat(o.pollTimeout()).isEqualTo(Duration.ofMillis(50));
    assertThat(o.commitInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(o.consumerProperties()).isEmpty();
    assertThat(o.toBuilder().build()).isEqualTo(o);
  }

  @Test
  void invalidValuesAreRejectedNamingTheFieldAndTheValue() {
    assertInvalid(builder().maxInFlight(0), "maxInFlight: 0 must be >= 1");
    assertInvalid(builder().maxPollRecords(-3), "maxPollRecords: -3 must be >= 1");
    assertInvalid(AsyncConsumerOptions.builder(" ", "g"), "topic: ' ' must not be blank");
    assertInvalid(AsyncConsumerOptions.builder("t", null), "groupId: 'null' must not be blank");
    assertInvalid(builder().name(""), "name: '' must not be blank");
    assertInvalid(builder().pollTimeout(Duration.ZERO), "pollTimeout: PT0S must be > 0");
    assertInvalid(
        builder().commitInterval(Duration.ofMillis(-1)), "commitInterval: PT-0.001S must be >= 0");
    assertInvalid(
        builder().retryBackoff(Duration.ofSeconds(2)).maxRetryBackoff(Duration.ofSeconds(1)),
        "maxRetryBackoff: PT1S must be >= retryBackoff PT2S");
    assertInvalid(
        builder().drainTimeout(Duration.ofSeconds(-1)), "drainTimeout: PT-1S must be >= 0");
  }

  private static void assertInvalid(AsyncConsumerOptions.Builder builder, String message) {
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void consumerConfigCommitsManuallyReadsUncommittedAndCapsPollsAtMaxInFlight() {
    Map<String, Object> config =
        AsyncRecordConsumer.consumerConfig(
            KafkaSettings.local("127.0.0.1:9092"), builder().maxInFlight(64).build());

    assertThat(config)
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "moa-agent-workers")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted")
        .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64)
        .containsEntry(
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            CooperativeStickyAssignor.class.getName());
  }

  @Test
  void consumerPropertiesOverrideTheDefaults() {
    Map<String, Object> config =
        AsyncRecordConsumer.consumerConfig(
            KafkaSettings.local("127.0.0.1:9092"),
            builder()
                .consumerProperties(
                    Map.of(
                        ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                        "consumer",
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                        6000))
                .build());

    assertThat(config)
        .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500)
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000)
        // The consumer group protocol assigns incrementally itself and rejects an assignor.
        .doesNotContainKey(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
  }
}
