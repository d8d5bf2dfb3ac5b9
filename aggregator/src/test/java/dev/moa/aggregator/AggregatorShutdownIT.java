package dev.moa.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.topic.Topics;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.PipelineKit;
import dev.moa.testing.TopicTail;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** Stopping an aggregator mid-batch never yields a second or a FAILED answer. */
class AggregatorShutdownIT {

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  static Simulator twoSeconds;
  static final AtomicInteger callsReceived = new AtomicInteger();
  static KafkaProducer<String, AggregateTask> producer;

  @BeforeAll
  static void start() {
    twoSeconds =
        kit.simulator(
            SimulatorOptions.builder()
                .defaultProfile(new Profile("two-seconds", 2.0, Double.POSITIVE_INFINITY))
                .timeScale(1.0)
                .build());
    twoSeconds.addListener(call -> callsReceived.incrementAndGet());
    producer = kit.producer(Topics.AGGREGATE_TASKS, "aggregator-shutdown-it");
  }

  static ConfigurableApplicationContext startAggregator(String drainTimeout) {
    return kit.service(
        AggregatorApplication.class, "--moa.aggregator.drain-timeout=" + drainTimeout);
  }

  static List<AggregateTask> sendTasks(String prefix, int count) {
    List<AggregateTask> tasks =
        IntStream.range(0, count)
            .mapToObj(i -> AggregatorIT.task(prefix + UUID.randomUUID(), twoSeconds.baseUrl()))
            .toList();
    for (AggregateTask t : tasks) {
      producer.send(new ProducerRecord<>(Topics.AGGREGATE_TASKS.name(), t.getRequestId(), t));
    }
    producer.flush();
    return tasks;
  }

  static TopicTail<FinalAnswer> committedAnswers() {
    return kit.tail(Topics.ANSWERS);
  }

  static Set<String> ids(List<AggregateTask> tasks) {
    return tasks.stream().map(AggregateTask::getRequestId).collect(Collectors.toSet());
  }

  static Map<String, List<FinalAnswer>> byRequest(
      List<ConsumerRecord<String, FinalAnswer>> records, Set<String> ids) {
    return AggregatorIT.byRequest(records, ids);
  }

  @Test
  void stoppingMidBatchWithoutDrainRollsBackAndTheRedeliveredBatchAnswersOnce() {
    try (TopicTail<FinalAnswer> answers = committedAnswers()) {
      ConfigurableApplicationContext first = startAggregator("0s");
      List<AggregateTask> tasks;
      try {
        int before = callsReceived.get();
        tasks = sendTasks("crash-", 5);
        await().atMost(Duration.ofSeconds(30)).until(() -> callsReceived.get() - before >= 5);
      } finally {
        first.close(); // calls cut off mid-flight: the batch must not commit FAILED answers
      }
      Set<String> ids = ids(tasks);

      ConfigurableApplicationContext second = startAggregator("30s");
      try {
        answers.awaitRecords(Duration.ofSeconds(90), rs -> byRequest(rs, ids).size() == ids.size());
        List<ConsumerRecord<String, FinalAnswer>> records =
            answers.assertHoldsFor(
                Duration.ofSeconds(3),
                rs -> byRequest(rs, ids).values().stream().allMatch(l -> l.size() == 1));
        assertThat(byRequest(records, ids).values())
            .allSatisfy(
                l ->
                    assertThat(l.get(0).getStatus())
                        .as(l.get(0).toString())
                        .isEqualTo(AnswerStatus.SUCCEEDED));
      } finally {
        second.close();
      }
    }
  }

  @Test
  void stoppingDrainsTheBatchInProgressAndCommitsItsAnswersAndOffsets() throws Exception {
    try (TopicTail<FinalAnswer> answers = committedAnswers()) {
      ConfigurableApplicationContext aggregator = startAggregator("30s");
      List<AggregateTask> tasks;
      try {
        int before = callsReceived.get();
        tasks = sendTasks("drain-", 5);
        await().atMost(Duration.ofSeconds(30)).until(() -> callsReceived.get() - before >= 5);
      } finally {
        aggregator.close(); // the drain lets the calls finish and the transaction commit
      }
      Set<String> ids = ids(tasks);

      List<ConsumerRecord<String, FinalAnswer>> records =
          answers.awaitRecords(
              Duration.ofSeconds(10), rs -> byRequest(rs, ids).size() == ids.size());
      assertThat(byRequest(records, ids).values())
          .allSatisfy(
              l ->
                  assertThat(l)
                      .singleElement()
                      .satisfies(a -> assertThat(a.getStatus()).isEqualTo(AnswerStatus.SUCCEEDED)));
      assertThat(uncommittedPartitions()).isEmpty();
    }
  }

  /** Partitions of moa.aggregate-tasks whose committed offset is behind the end. */
  static Map<TopicPartition, Long> uncommittedPartitions() throws Exception {
    try (Admin admin = Admin.create(kit.settings().common())) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(AggregatorConfiguration.GROUP_ID)
              .partitionsToOffsetAndMetadata()
              .get();
      Map<TopicPartition, OffsetSpec> latest =
          IntStream.range(0, Topics.AGGREGATE_TASKS.partitions())
              .boxed()
              .collect(
                  Collectors.toMap(
                      p -> new TopicPartition(Topics.AGGREGATE_TASKS.name(), p),
                      p -> OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().entrySet().stream()
          .filter(e -> e.getValue().offset() > 0)
          .filter(
              e ->
                  committed.get(e.getKey()) == null
                      || committed.get(e.getKey()).offset() < e.getValue().offset())
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
  }
}
