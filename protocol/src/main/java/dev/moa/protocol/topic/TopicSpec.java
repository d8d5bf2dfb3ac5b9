package dev.moa.protocol.topic;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic declared once: its name, key and value serdes, partition count and topic configs. Topics
 * are created from these descriptors (and Kubernetes' KafkaTopic resources are compared to them).
 */
public record TopicSpec<K, V>(
    String name,
    Serde<K> keySerde,
    Serde<V> valueSerde,
    int partitions,
    Map<String, String> configs) {

  public TopicSpec {
    Objects.requireNonNull(name, "name");
    if (!name.startsWith("moa.")) {
      throw new IllegalArgumentException("topic name " + name + " must start with moa.");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(name + ": partitions " + partitions + " must be >= 1");
    }
    configs = Map.copyOf(configs);
  }

  /** The dead-letter topic for records of this topic that cannot be processed. */
  public String dltName() {
    return name + "-dlt";
  }
}
