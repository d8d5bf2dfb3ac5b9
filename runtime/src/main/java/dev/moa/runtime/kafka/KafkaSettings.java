package dev.moa.runtime.kafka;

import dev.moa.protocol.topic.TopicSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How every client of ours reaches Kafka: the bootstrap servers, pass-through client properties
 * (security.protocol, sasl.*, ssl.* for SASL_SSL / SSL clusters) and the replication factor for
 * topics we create.
 */
public record KafkaSettings(
    String bootstrap, Map<String, String> clientProperties, short replicationFactor) {

  public KafkaSettings {
    Objects.requireNonNull(bootstrap, "bootstrap");
    if (bootstrap.isBlank() || !bootstrap.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
      throw new IllegalArgumentException(
          "bootstrap: '" + bootstrap + "' is not HOST:PORT[,HOST:PORT...]");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replication factor: " + replicationFactor + " must be >= 1");
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  /**
   * Never shows a secret (sasl.jaas.config, *password*, ssl keys, tokens): a settings object that
   * ends up in a log line or an exception message must not carry the cluster's credentials.
   */
  @Override
  public String toString() {
    return "KafkaSettings[bootstrap="
        + bootstrap
        + ", clientProperties="
        + redacted(clientProperties)
        + ", replicationFactor="
        + replicationFactor
        + "]";
  }

  /** The properties with every secret's value replaced by {@code [hidden]}, as Kafka logs them. */
  public static Map<String, String> redacted(Map<String, String> properties) {
    Map<String, String> out = new java.util.TreeMap<>();
    properties.forEach((k, v) -> out.put(k, isSecret(k) ? "[hidden]" : v));
    return out;
  }

  /** True for client properties whose value is a credential. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password")
        || k.contains("jaas")
        || k.contains("secret")
        || k.contains("token")
        || k.equals("ssl.keystore.key")
        || k.endsWith(".key")
        || k.contains("credential");
  }

  public static KafkaSettings local(String bootstrap) {
    return new KafkaSettings(bootstrap, Map.of(), (short) 1);
  }

  public Map<String, Object> common() {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return props;
  }

  /** A byte-level producer; values are encoded by our serdes before sending. */
  public Map<String, Object> producer(String clientId) {
    Map<String, Object> props = common();
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // No linger: every hand-over of a request waits on it (decision 020).
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return props;
  }

  /** A producer for one topic, with the topic's own serdes. */
  public <V> KafkaProducer<String, V> producerFor(TopicSpec<String, V> topic, String clientId) {
    return new KafkaProducer<>(
        producer(clientId), topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  public Map<String, Object> consumer(String groupId, boolean readCommitted) {
    Map<String, Object> props = common();
    if (groupId != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    props.putAll(FAST_FAILOVER);
    return props;
  }

  /**
   * A crashed member's partitions move to the others after this long instead of Kafka's default 45
   * s: a dead worker's tasks are redelivered within seconds.
   */
  public static final Map<String, Object> FAST_FAILOVER =
      Map.of(
          ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
          ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
}
