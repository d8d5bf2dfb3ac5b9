package dev.moa.runtime.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.localkafka.TestBroker;
import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.serde.Serdes;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AsyncRecordConsumer against a real broker; each test has its own topic and group. */
class AsyncRecordConsumerIT {

  static KafkaSettings settings;
  static Admin admin;
  static KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void start() {
    settings = KafkaSettings.local(TestBroker.bootstrap());
    admin = Admin.create(settings.common());
    producer = new KafkaProducer<>(settings.producer("async-consumer-it"));
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  static String createTopic(int partitions) throws Exception {
    String topic = "moa.it-consume-" + UUID.randomUUID();
    admin
        .createTopics(
            List.of(
                new NewTopic(topic, partitions, (short) 1),
                new NewTopic(topic + "-dlt", 1, (short) 1)))
        .all()
        .get();
    return topic;
  }

  static String group() {
    return "it-" + UUID.randomUUID();
  }

  static void send(String topic, int partition, int... seqs) throws Exception {
    for (int seq : seqs) {
      AnswerChunk chunk = new AnswerChunk("r", seq, "p" + partition, false);
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  partition,
                  ("k" + seq).getBytes(StandardCharsets.UTF_8),
                  Serdes.ANSWER_CHUNK.toBytes(chunk)))
          .get();
    }
  }

  /** The group's committed offset per partition; partitions without a commit are absent. */
  static Map<Integer, Long> committed(String group) throws Exception {
    return admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .get()
        .entrySet()
        .stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
  }

  /** The committed offset of one partition; -1 when there is none. */
  static long committed(String group, int partition) throws Exception {
    return committed(group).getOrDefault(partition, -1L);
  }

  static AsyncRecordConsumer<AnswerChunk> start(
      String topic,
      String group,
      UnaryOperator<AsyncConsumerOptions.Builder> tune,
      MeterRegistry registry,
      Function<AnswerChunk, CompletableFuture<?>> handler) {
    AsyncConsumerOptions options =
        tune.apply(
                AsyncConsumerOptions.builder(topic, group)
                    .name("it-consumer-" + group)
                    .drainTimeout(Duration.ofSeconds(1)))
            .build();
    return new AsyncRecordConsumer<>(
            settings, options, Serdes.ANSWER_CHUNK, producer, registry, handler)
        .start();
  }

  static AsyncRecordConsumer<AnswerChunk> start(
      String topic, String group, Function<AnswerChunk, CompletableFuture<?>> handler) {
    return start(topic, group, b -> b, null, handler);
  }

  @Test
  void outOfOrderCompletionCommitsOnlyTheContiguousFinishedPrefix() throws Exception {
    String topic = createTopic(1);
    String group = group();
    Map<Integer, CompletableFuture<Void>> futures = new ConcurrentHashMap<>();

    try (AsyncRecordConsumer<AnswerChunk> consumer =
        start(
            topic,
            group,
            chunk -> futures.computeIfAbsent(chunk.getSeq(), s -> new CompletableFuture<>()))) {
      send(topic, 0, 0, 1, 2, 3, 4);
      await().atMost(Duration.ofSeconds(20)).until(() -> futures.size() == 5);

      futures.get(3).complete(null);
      futures.get(1).complete(null);
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .until(() -> committed(group, 0) <= 0);

      futures.get(0).complete(null);
      await().atMost(Duration.ofSeconds(5)).until(() -> committed(group, 0) == 2L);

      futures.get(4).complete(null);
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .until(() -> committed(group, 0) == 2L);

      futures.get(2).complete(null);
      await().atMost(Duration.ofSeconds(5)).until(() -> committed(group, 0) == 5L);
      assertThat(consumer.inFlight()).isZero();
    }
  }

  @Test
  void recordWhoseHandlerNeverCompletesHoldsBackLaterOffsetsAndIsRedeliveredAfterClose()
      throws Exception {
    String topic = createTopic(1);
    String group = group();
    Set<Integer> firstSeen = ConcurrentHashMap.newKeySet();

    AsyncRecordConsumer<AnswerChunk> first =
        start(
            topic,
            group,
            chunk -> {
              firstSeen.add(chunk.getSeq());
              return chunk.getSeq() == 2
                  ? new CompletableFuture<>()
                  : CompletableFuture.completedFuture(null);
            });
    try {
      send(topic, 0, 0, 1, 2, 3, 4);
      await().atMost(Duration.ofSeconds(20)).until(() -> firstSeen.size() == 5);
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .until(() -> committed(group, 0) == 2L);
      assertThat(first.inFlight()).isEqualTo(1);
    } finally {
      first.close(Duration.ofMillis(200));
    }
    assertThat(first.isRunning()).isFalse();
    assertThat(committed(group)).containsEntry(0, 2L);

    List<Integer> secondSeen = new CopyOnWriteArrayList<>();
    try (AsyncRecordConsumer<AnswerChunk> second =
        start(
            topic,
            group,
            chunk -> {
              secondSeen.add(chunk.getSeq());
              return CompletableFuture.completedFuture(null);
            })) {
      await().atMost(Duration.ofSeconds(20)).until(() -> committed(group, 0) == 5L);
      assertThat(secondSeen).containsExactly(2, 3, 4);
    }
  }

  @Test
  void undecodableRecordIsDeadLetteredWithItsBytesAndHeadersAndThePartitionMovesOn()
      throws Exception {
    String topic = createTopic(1);
    String group = group();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    List<Integer> handled = new CopyOnWriteArrayList<>();

    try (AsyncRecordConsumer<AnswerChunk> consumer =
        start(
            topic,
            group,
            b -> b,
            registry,
            chunk -> {
              handled.add(chunk.getSeq());
              return CompletableFuture.completedFuture(null);
            })) {
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  0,
                  "poison".getBytes(StandardCharsets.UTF_8),
                  garbage,
                  List.<Header>of(
                      new RecordHeader("trace", "t-1".getBytes(StandardCharsets.UTF_8)))))
          .get();
      send(topic, 0, 1);

      await().atMost(Duration.ofSeconds(20)).until(() -> committed(group, 0) == 2L);
      assertThat(handled).containsExactly(1);
    }

    ConsumerRecord<byte[], byte[]> dead = readOne(topic + "-dlt");
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("poison");
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(header(dead, "trace")).isEqualTo("t-1");
    assertThat(header(dead, DeadLetters.HEADER_EXCEPTION_CLASS))
        .isEqualTo("org.apache.kafka.common.errors.SerializationException");
    assertThat(header(dead, DeadLetters.HEADER_EXCEPTION_MESSAGE))
        .contains("cannot decode AnswerChunk");
    assertThat(header(dead, DeadLetters.HEADER_ORIGINAL_TOPIC)).isEqualTo(topic);
    assertThat(header(dead, DeadLetters.HEADER_ORIGINAL_PARTITION)).isEqualTo("0");
    assertThat(header(dead, DeadLetters.HEADER_ORIGINAL_OFFSET)).isEqualTo("0");
    assertThat(
            registry
                .get(MetricNames.DLT_RECORDS)
                .tag(MetricNames.TAG_TOPIC, topic)
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  static ConsumerRecord<byte[], byte[]> readOne(String topic) {
    try (KafkaConsumer<byte[], byte[]> reader =
        new KafkaConsumer<>(
            settings.consumer(null, false),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      reader.assign(List.of(tp));
      reader.seekToBeginning(List.of(tp));
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInSameThread()
          .until(
              () -> {
                reader.poll(Duration.ofMillis(100)).forEach(records::add);
                return !records.isEmpty();
              });
      assertThat(records).hasSize(1);
      return records.get(0);
    }
  }

  static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header h = record.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void backpressureNeverHasMoreThanMaxInFlightRecordsInTheHandler() throws Exception {
    String topic = createTopic(3);
    String group = group();
    Queue<CompletableFuture<Void>> outstanding = new ConcurrentLinkedQueue<>();
    AtomicInteger maxOutstanding = new AtomicInteger();
    AtomicInteger maxReported = new AtomicInteger();
    List<Integer> handled = new CopyOnWriteArrayList<>();

    try (AsyncRecordConsumer<AnswerChunk> consumer =
        start(
            topic,
            group,
            b -> b.maxInFlight(5),
            null,
            chunk -> {
              handled.add(chunk.getSeq());
              CompletableFuture<Void> f = new CompletableFuture<>();
              outstanding.add(f);
              maxOutstanding.accumulateAndGet(outstanding.size(), Math::max);
              return f;
            })) {
      for (int p = 0; p < 3; p++) {
        int partition = p;
        send(topic, partition, IntStream.range(0, 50).filter(i -> i % 3 == partition).toArray());
      }

      int released = 0;
      while (released < 50) {
        int expected = Math.min(5, 50 - released);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  maxReported.accumulateAndGet(consumer.inFlight(), Math::max);
                  return outstanding.size() == expected;
                });
        // Remove before completing: the consumer may start the next record at once.
        for (int i = 0; i < expected; i++) {
          outstanding.poll().complete(null);
        }
        released += expected;
      }

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> committed(group).values().stream().mapToLong(Long::longValue).sum() == 50);
    }
    assertThat(maxOutstanding.get()).isEqualTo(5);
    assertThat(maxReported.get()).isLessThanOrEqualTo(5);
    assertThat(handled).hasSize(50).doesNotHaveDuplicates();
  }

  @Test
  void slowRecordDoesNotDelayLaterRecordsOfTheSameOrOtherPartitions() throws Exception {
    String topic = createTopic(2);
    String group = group();
    Map<Integer, Long> startedAt = new ConcurrentHashMap<>();
    CompletableFuture<Void> slow = new CompletableFuture<>();
    AtomicBoolean slowFinished = new AtomicBoolean();

    try (AsyncRecordConsumer<AnswerChunk> consumer =
        start(
            topic,
            group,
            chunk -> {
              startedAt.put(chunk.getSeq(), System.nanoTime());
              return chunk.getSeq() == 0 ? slow : CompletableFuture.completedFuture(null);
            })) {
      send(topic, 0, 0);
      await().atMost(Duration.ofSeconds(20)).until(() -> startedAt.containsKey(0));

      // Sent after the slow record started, so they come in later polls.
      send(topic, 0, 1, 2, 3);
      send(topic, 1, 4, 5, 6);
      await().atMost(Duration.ofSeconds(5)).until(() -> startedAt.size() == 7);
      await().atMost(Duration.ofSeconds(5)).until(() -> committed(group, 1) == 3L);
      assertThat(committed(group, 0)).isLessThanOrEqualTo(0);

      long slowFinishedAt = System.nanoTime();
      slowFinished.set(slow.complete(null));
      await().atMost(Duration.ofSeconds(5)).until(() -> committed(group, 0) == 4L);

      assertThat(slowFinished).isTrue();
      assertThat(startedAt).allSatisfy((seq, at) -> assertThat(at).isLessThan(slowFinishedAt));
    }
  }

  @Test
  void failedHandlerIsRetriedAfterABackoffAndItsOffsetStaysUncommittedUntilItSucceeds()
      throws Exception {
    String topic = createTopic(1);
    String group = group();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger attempts = new AtomicInteger();
    AtomicBoolean healthy = new AtomicBoolean();
    List<Integer> handled = new CopyOnWriteArrayList<>();

    try (AsyncRecordConsumer<AnswerChunk> consumer =
        start(
            topic,
            group,
            b -> b.retryBackoff(Duration.ofMillis(50)).maxRetryBackoff(Duration.ofMillis(200)),
            registry,
            chunk -> {
              handled.add(chunk.getSeq());
              if (chunk.getSeq() == 0) {
                attempts.incrementAndGet();
                if (!healthy.get()) {
                  return CompletableFuture.failedFuture(new IllegalStateException("down"));
                }
              }
              return CompletableFuture.completedFuture(null);
            })) {
      send(topic, 0, 0, 1);
      await().atMost(Duration.ofSeconds(20)).until(() -> attempts.get() >= 3);
      assertThat(handled).contains(1);
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .until(() -> committed(group, 0) <= 0);

      healthy.set(true);
      await().atMost(Duration.ofSeconds(5)).until(() -> committed(group, 0) == 2L);
    }
    assertThat(handled.stream().filter(s -> s == 1)).hasSize(1);
    assertThat(
            registry
                .get(MetricNames.CONSUMER_RETRIES)
                .tag(MetricNames.TAG_TOPIC, topic)
                .counter()
                .count())
        .isGreaterThanOrEqualTo(3.0);
  }

  @Test
  void revokedPartitionIsCommittedAsFarAsFinishedAndItsNextOwnerHandlesTheRest() throws Exception {
    String topic = createTopic(2);
    String group = group();
    Map<Integer, CompletableFuture<Void>> stuck = new ConcurrentHashMap<>();
    List<Integer> secondSeen = Collections.synchronizedList(new ArrayList<>());

    // Partition 0 holds seqs 0 (finishes) and 1 (stuck); partition 1 holds 2 and 3.
    try (AsyncRecordConsumer<AnswerChunk> first =
        start(
            topic,
            group,
            chunk ->
                chunk.getSeq() % 2 == 0
                    ? CompletableFuture.completedFuture(null)
                    : stuck.computeIfAbsent(chunk.getSeq(), s -> new CompletableFuture<>()))) {
      send(topic, 0, 0, 1);
      send(topic, 1, 2, 3);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> committed(group).equals(Map.of(0, 1L, 1, 1L)));

      try (AsyncRecordConsumer<AnswerChunk> second =
          start(
              topic,
              group,
              b -> b.name("it-second-" + group),
              null,
              chunk -> {
                secondSeen.add(chunk.getSeq());
                return CompletableFuture.completedFuture(null);
              })) {
        // One partition moves: its next owner redoes only the unfinished record.
        await().atMost(Duration.ofSeconds(30)).until(() -> secondSeen.size() == 1);
        assertThat(secondSeen).containsAnyOf(1, 3);
        int moved = secondSeen.get(0) == 1 ? 0 : 1;
        await().atMost(Duration.ofSeconds(5)).until(() -> committed(group, moved) == 2L);

        // The first consumer's late completions commit only the partition it still owns.
        stuck.values().forEach(f -> f.complete(null));
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> committed(group).equals(Map.of(0, 2L, 1, 2L)));
        assertThat(first.inFlight()).isZero();
        assertThat(secondSeen).hasSize(1);
      }
    }
  }
}
