package dev.moa.testing;

import static org.awaitility.Awaitility.await;

import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads one topic from its current end on (no consumer group), collecting every record. */
public final class TopicTail<V> implements AutoCloseable {

  private final KafkaConsumer<String, V> consumer;
  private final List<ConsumerRecord<String, V>> records = new ArrayList<>();

  public TopicTail(
      KafkaSettings settings, String topic, Deserializer<V> values, boolean readCommitted) {
    consumer =
        new KafkaConsumer<>(
            settings.consumer(null, readCommitted), new StringDeserializer(), values);
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve the end now, before anything is produced
  }

  /** Polls until the records seen so far satisfy {@code done}; returns them. */
  public List<ConsumerRecord<String, V>> awaitRecords(
      Duration atMost, Predicate<List<ConsumerRecord<String, V>>> done) {
    await()
        .atMost(atMost)
        .pollInSameThread()
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(200)).forEach(records::add);
              return done.test(records);
            });
    return List.copyOf(records);
  }

  /**
   * Polls for {@code window}, failing as soon as the records seen stop satisfying {@code holds}.
   */
  public List<ConsumerRecord<String, V>> assertHoldsFor(
      Duration window, Predicate<List<ConsumerRecord<String, V>>> holds) {
    await()
        .during(window)
        .atMost(window.plusSeconds(10))
        .pollInSameThread()
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(100)).forEach(records::add);
              return holds.test(records);
            });
    return List.copyOf(records);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
