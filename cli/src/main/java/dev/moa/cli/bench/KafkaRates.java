package dev.moa.cli.bench;

import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka-side measurements of the throughput benchmark: the end offsets of every topic (how much the
 * pipeline wrote), the records written between two snapshots (count, sizes, a sample), and the raw
 * produce -> consume rate of a plain producer and consumer replaying that sample.
 */
final class KafkaRates {

  /** How often one hop measurement may start a new transactional producer (see hopsOn). */
  private static final int MAX_HOP_PRODUCER_RESTARTS = 3;

  private KafkaRates() {}

  /** Latest offsets of every partition of every non-internal topic. */
  static Map<TopicPartition, Long> endOffsets(KafkaSettings settings) throws Exception {
    try (Admin admin = Admin.create(settings.common())) {
      var names = admin.listTopics().names().get();
      Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      topics.forEach(
          (name, d) ->
              d.partitions()
                  .forEach(
                      p ->
                          specs.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
      Map<TopicPartition, Long> out = new HashMap<>();
      admin.listOffsets(specs).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
      return out;
    }
  }

  /** What was written between two offset snapshots: data records (no markers), bytes, a sample. */
  record Written(long records, long bytes, long maxBytes, List<byte[][]> sample) {
    double meanBytes() {
      return records == 0 ? 0 : (double) bytes / records;
    }
  }

  /** Reads everything written between the snapshots (read_uncommitted), keeping a sample. */
  static Written written(
      KafkaSettings settings,
      Map<TopicPartition, Long> from,
      Map<TopicPartition, Long> to,
      int sampleSize,
      Duration timeout) {
    long[] totals = new long[3]; // records, bytes, max bytes
    List<byte[][]> sample = new ArrayList<>();
    Random random = new Random(7);
    read(
        settings,
        from,
        to,
        timeout,
        r -> {
          long records = ++totals[0];
          int size =
              (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
          totals[1] += size;
          totals[2] = Math.max(totals[2], size);
          byte[][] kv = {r.key(), r.value() == null ? new byte[0] : r.value()};
          // Reservoir sampling: every record of the window is equally likely to be kept.
          if (sample.size() < sampleSize) {
            sample.add(kv);
          } else {
            long j = (long) (random.nextDouble() * records);
            if (j < sampleSize) {
              sample.set((int) j, kv);
            }
          }
        });
    return new Written(totals[0], totals[1], totals[2], sample);
  }

  /**
   * Hands every data record written between two offset snapshots (read_uncommitted, internal topics
   * skipped) to {@code each}, partition by partition in offset order.
   */
  static void read(
      KafkaSettings settings,
      Map<TopicPartition, Long> from,
      Map<TopicPartition, Long> to,
      Duration timeout,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Map<TopicPartition, Long> ranges = new HashMap<>();
    to.forEach(
        (tp, end) -> {
          long start = from.getOrDefault(tp, 0L);
          if (end > start && !tp.topic().startsWith("__")) {
            ranges.put(tp, start);
          }
        });
    if (ranges.isEmpty()) {
      return;
    }
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(settings.consumer(null, false))) {
      consumer.assign(ranges.keySet());
      ranges.forEach(consumer::seek);
      List<TopicPartition> open = new ArrayList<>(ranges.keySet());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!open.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() < to.get(tp)) {
            each.accept(r);
          }
        }
        open.removeIf(tp -> consumer.position(tp) >= to.get(tp));
      }
    }
  }

  /** The raw rate: records consumed per second during the measured window, and bytes. */
  record Raw(long records, long bytes, long produced, double seconds) {
    double recordsPerSecond() {
      return records / seconds;
    }

    double megabytesPerSecond() {
      return bytes / seconds / 1e6;
    }
  }

  /**
   * A plain producer (the pipeline's producer settings: acks=all, idempotent, lz4, no linger)
   * replays the sample as fast as it can into a fresh topic with {@code partitions} partitions; a
   * plain consumer reads it; after {@code warmup}, the records consumed during {@code duration} are
   * counted. The topic is deleted afterwards.
   */
  static Raw raw(
      KafkaSettings settings,
      List<byte[][]> sample,
      int partitions,
      Duration warmup,
      Duration duration)
      throws Exception {
    String topic = "moa.bench-raw-" + Long.toHexString(System.nanoTime());
    try (Admin admin = Admin.create(settings.common())) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      awaitLeaders(admin, topic, Duration.ofSeconds(30));
      try {
        return rawOn(settings, topic, partitions, sample, warmup, duration);
      } finally {
        try {
          admin.deleteTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
          // best effort: a bench topic left behind harms nothing
        }
      }
    }
  }

  /**
   * The latency of one hand-over on this broker: a record produced (the pipeline's producer
   * settings, with {@code overrides}) until a consumer polling its partition has it, one record at
   * a time, {@code count} times after 20 unmeasured ones. Transactional: each record in its own
   * transaction, read by a read_committed consumer (the aggregator's and the answer readers' case).
   * Milliseconds per record; the topic is deleted afterwards.
   */
  static double[] hopLatencies(
      KafkaSettings settings, int count, Map<String, Object> overrides, boolean transactional)
      throws Exception {
    String topic = "moa.bench-hop-" + Long.toHexString(System.nanoTime());
    try (Admin admin = Admin.create(settings.common())) {
      admin.createTopics(List.of(new NewTopic(topic, 1, settings.replicationFactor()))).all().get();
      awaitLeaders(admin, topic, Duration.ofSeconds(30));
      try {
        return hopsOn(settings, topic, count, overrides, transactional);
      } finally {
        try {
          admin.deleteTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
          // best effort: a bench topic left behind harms nothing
        }
      }
    }
  }

  private static double[] hopsOn(
      KafkaSettings settings,
      String topic,
      int count,
      Map<String, Object> overrides,
      boolean transactional) {
    Map<String, Object> producerProps = new HashMap<>(settings.producer("moa-bench-hop"));
    producerProps.putAll(overrides);
    if (transactional) {
      producerProps.put("transactional.id", topic);
    }
    TopicPartition tp = new TopicPartition(topic, 0);
    byte[] value = new byte[512];
    double[] out = new double[count];
    int restarts = 0;
    KafkaProducer<byte[], byte[]> producer = hopProducer(producerProps, transactional);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(settings.consumer(null, transactional))) {
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      for (int i = -20; i < count; i++) {
        long start = System.nanoTime();
        try {
          if (transactional) {
            producer.beginTransaction();
          }
          producer.send(new ProducerRecord<>(topic, 0, null, value));
          if (transactional) {
            producer.commitTransaction();
          }
        } catch (KafkaException e) {
          // A transactional producer can fail fatally when one transaction's end races the next
          // one's first send on the broker (seen once in CI on Kafka 4.1's transactions v2:
          // InvalidTxnStateException). That hop measures nothing: a new producer (which fences the
          // old one and aborts its transaction) redoes it, a few times at most.
          if (!transactional || ++restarts > MAX_HOP_PRODUCER_RESTARTS) {
            throw e;
          }
          producer.close(Duration.ZERO);
          producer = hopProducer(producerProps, true);
          i--;
          continue;
        }
        int seen = 0;
        long deadline = start + Duration.ofSeconds(30).toNanos();
        while (seen == 0) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("a hop record did not arrive within 30 s");
          }
          seen = consumer.poll(Duration.ofMillis(500)).count();
        }
        if (i >= 0) {
          out[i] = (System.nanoTime() - start) / 1e6;
        }
      }
    } finally {
      producer.close();
    }
    return out;
  }

  private static KafkaProducer<byte[], byte[]> hopProducer(
      Map<String, Object> props, boolean transactional) {
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            props,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer());
    if (transactional) {
      producer.initTransactions();
    }
    return producer;
  }

  /** Waits until every partition of a new topic has a leader. */
  private static void awaitLeaders(Admin admin, String topic, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        // not known yet
      }
      Thread.sleep(100);
    }
  }

  private static Raw rawOn(
      KafkaSettings settings,
      String topic,
      int partitions,
      List<byte[][]> sample,
      Duration warmup,
      Duration duration)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean counting = new AtomicBoolean();
    AtomicLong records = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong produced = new AtomicLong();
    Thread producer =
        new Thread(
            () -> {
              try (KafkaProducer<byte[], byte[]> p =
                  new KafkaProducer<>(settings.producer("moa-bench-raw"))) {
                // One acknowledged record per partition first: a batch for a partition whose
                // leader the producer does not know yet would sit in its buffer and, once the
                // buffer is full, block every send (seen as a few hundred records/s).
                for (int part = 0; part < partitions; part++) {
                  p.send(new ProducerRecord<>(topic, part, null, sample.get(0)[1])).get();
                }
                int i = 0;
                while (!stop.get()) {
                  byte[][] kv = sample.get(i++ % sample.size());
                  p.send(new ProducerRecord<>(topic, kv[0], kv[1]));
                  if (counting.get()) {
                    produced.incrementAndGet();
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (ExecutionException e) {
                throw new IllegalStateException("raw producer: " + e.getCause(), e);
              }
            },
            "moa-bench-raw-producer");
    Thread consumer =
        new Thread(
            () -> {
              try (KafkaConsumer<byte[], byte[]> c =
                  new KafkaConsumer<>(settings.consumer(null, false))) {
                List<TopicPartition> parts = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                  parts.add(new TopicPartition(topic, p));
                }
                c.assign(parts);
                c.seekToBeginning(parts);
                while (!stop.get()) {
                  for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (counting.get()) {
                      records.incrementAndGet();
                      bytes.addAndGet((r.key() == null ? 0 : r.key().length) + r.value().length);
                    }
                  }
                }
              }
            },
            "moa-bench-raw-consumer");
    consumer.start();
    producer.start();
    try {
      Thread.sleep(warmup.toMillis());
      long start = System.nanoTime();
      counting.set(true);
      Thread.sleep(duration.toMillis());
      counting.set(false);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Raw(records.get(), bytes.get(), produced.get(), seconds);
    } finally {
      stop.set(true);
      producer.join(30_000);
      consumer.join(30_000);
    }
  }
}
