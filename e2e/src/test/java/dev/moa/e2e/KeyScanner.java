package dev.moa.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Looks for one secret, byte for byte, in files, texts and every record (key, value, each header's
 * key and value) of every topic of a cluster, internal topics included. Counts what it looked at so
 * a test can show the scan covered something.
 */
final class KeyScanner {

  /** One place the secret was found. */
  record Finding(String where) {}

  private final byte[] needle;
  final List<Finding> findings = new ArrayList<>();
  long filesScanned;
  long bytesScanned;
  long recordsScanned;
  final Map<String, Long> recordsPerTopic = new HashMap<>();

  KeyScanner(String secret) {
    this.needle = secret.getBytes(StandardCharsets.UTF_8);
  }

  void scanText(String where, String text) {
    scanBytes(where, text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8));
  }

  void scanBytes(String where, byte[] data) {
    bytesScanned += data.length;
    int hits = count(data);
    for (int i = 0; i < hits; i++) {
      findings.add(new Finding(where));
    }
  }

  /** Every regular file under {@code root}, raw bytes (logs, state, reports, broker segments). */
  void scanTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        byte[] data;
        try {
          data = Files.readAllBytes(p);
        } catch (IOException e) {
          continue; // removed while walking (a rolled segment, a temp file)
        }
        filesScanned++;
        scanBytes(p.toString(), data);
      }
    }
  }

  /** Every record of every topic from the beginning, read_uncommitted (aborted records too). */
  void scanKafka(String bootstrap, Duration timeout) throws Exception {
    Map<String, Object> common = Map.of("bootstrap.servers", bootstrap);
    List<TopicPartition> partitions = new ArrayList<>();
    try (Admin admin = Admin.create(common)) {
      Set<String> names =
          admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
      for (TopicDescription d : admin.describeTopics(names).allTopicNames().get().values()) {
        d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
      }
    }
    Map<String, Object> props = new HashMap<>(common);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka scan did not reach the end offsets " + end);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          String where = r.topic() + "-" + r.partition() + "@" + r.offset();
          recordsScanned++;
          recordsPerTopic.merge(r.topic(), 1L, Long::sum);
          if (r.key() != null) {
            scanBytes(where + " key", r.key());
          }
          if (r.value() != null) {
            scanBytes(where + " value", r.value());
          }
          for (Header h : r.headers()) {
            scanText(where + " header name", h.key());
            if (h.value() != null) {
              scanBytes(where + " header " + h.key(), h.value());
            }
          }
        }
      }
    }
  }

  private static boolean caughtUp(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private int count(byte[] data) {
    int hits = 0;
    outer:
    for (int i = 0; i + needle.length <= data.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      hits++;
    }
    return hits;
  }
}
