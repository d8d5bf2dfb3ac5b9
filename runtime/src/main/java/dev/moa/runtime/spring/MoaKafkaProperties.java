package dev.moa.runtime.spring;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.kafka.*}: where the cluster is, extra client properties passed through unchanged
 * (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ...), the
 * replication factor of topics we create, and whether to create them at start.
 */
@ConfigurationProperties("moa.kafka")
public record MoaKafkaProperties(
    String bootstrap,
    Map<String, String> properties,
    Short replicationFactor,
    Boolean createTopics) {

  public MoaKafkaProperties {
    bootstrap = bootstrap == null ? "127.0.0.1:9092" : bootstrap;
    properties = properties == null ? Map.of() : properties;
    replicationFactor = replicationFactor == null ? 1 : replicationFactor;
    createTopics = createTopics == null || createTopics;
  }

  /** Secrets among the pass-through properties are hidden (see KafkaSettings#redacted). */
  @Override
  public String toString() {
    return "MoaKafkaProperties[bootstrap="
        + bootstrap
        + ", properties="
        + dev.moa.runtime.kafka.KafkaSettings.redacted(properties)
        + ", replicationFactor="
        + replicationFactor
        + ", createTopics="
        + createTopics
        + "]";
  }
}
