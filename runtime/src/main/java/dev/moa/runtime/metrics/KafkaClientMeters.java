package dev.moa.runtime.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Binds a Kafka client that Spring Kafka does not create to Micrometer's Kafka binders, with the
 * same tag keys as Spring Kafka's Micrometer listeners ({@value MetricNames#TAG_KAFKA_CLIENT} plus
 * the binder's own): Prometheus drops a meter whose series have different tag keys, so every Kafka
 * meter of a service must carry the same ones.
 */
public final class KafkaClientMeters {

  private KafkaClientMeters() {}

  /** Binds a consumer; close the result when the consumer is closed. */
  public static AutoCloseable bind(MeterRegistry registry, Consumer<?, ?> consumer, String id) {
    KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, tags(id));
    metrics.bindTo(Objects.requireNonNull(registry, "registry"));
    return metrics;
  }

  /** Binds a producer; close the result when the producer is closed. */
  public static AutoCloseable bind(MeterRegistry registry, Producer<?, ?> producer, String id) {
    KafkaClientMetrics metrics = new KafkaClientMetrics(producer, tags(id));
    metrics.bindTo(Objects.requireNonNull(registry, "registry"));
    return metrics;
  }

  /** Closes a binding quietly (null is fine). */
  public static void close(AutoCloseable binding) {
    if (binding == null) {
      return;
    }
    try {
      binding.close();
    } catch (Exception e) {
      // Only stops the binder's refresh; nothing to recover.
    }
  }

  /** The tags of a client binding: {@value MetricNames#TAG_KAFKA_CLIENT} = {@code id}. */
  public static List<Tag> tags(String id) {
    return List.of(Tag.of(MetricNames.TAG_KAFKA_CLIENT, Objects.requireNonNull(id, "id")));
  }
}
