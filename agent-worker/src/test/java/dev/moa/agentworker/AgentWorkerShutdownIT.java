package dev.moa.agentworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
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
import org.apache.kafka.clients.admin.ListOffsetsResult;
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

/** Stopping a worker mid-call: with a drain nothing is redone, without one nothing is lost. */
class AgentWorkerShutdownIT {

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  static Simulator twoSeconds;
  static final AtomicInteger callsReceived = new AtomicInteger();
  static KafkaProducer<String, AgentTask> producer;

  @BeforeAll
  static void start() {
    twoSeconds =
        kit.simulator(
            SimulatorOptions.builder()
                .defaultProfile(new Profile("two-seconds", 2.0, Double.POSITIVE_INFINITY))
                .timeScale(1.0)
                .build());
    twoSeconds.addListener(call -> callsReceived.incrementAndGet());
    producer = kit.producer(Topics.AGENT_TASKS, "agent-worker-shutdown-it");
  }

  static ConfigurableApplicationContext startWorker(String drainTimeout) {
    return kit.service(
        AgentWorkerApplication.class, "--moa.agent-worker.drain-timeout=" + drainTimeout);
  }

  static List<AgentTask> tasks(String requestId, int count) {
    ProviderRef provider =
        ProviderRef.newBuilder()
            .setName("simulator")
            .setBaseUrl(twoSeconds.baseUrl())
            .setSimulated(true)
            .build();
    return IntStream.range(0, count)
        .mapToObj(
            i ->
                AgentTask.newBuilder()
                    .setTaskId(requestId + "/0/" + i)
                    .setRequestId(requestId)
                    .setLayer(0)
                    .setAgentIndex(i)
                    .setAgentName("agent-" + i)
                    .setModel("llama3.1-8b")
                    .setProvider(provider)
                    .setTemperature(0.2)
                    .setMaxTokens(32)
                    .setMessages(List.of(new ChatMessage("user", "hi " + requestId)))
                    .setCreatedAtMs(System.currentTimeMillis())
                    .build())
        .toList();
  }

  static void send(List<AgentTask> tasks) {
    for (AgentTask t : tasks) {
      producer.send(new ProducerRecord<>(Topics.AGENT_TASKS.name(), t.getTaskId(), t));
    }
    producer.flush();
  }

  static Map<String, List<AgentResult>> ours(
      List<ConsumerRecord<String, AgentResult>> records, Set<String> ids) {
    return records.stream()
        .map(ConsumerRecord::value)
        .filter(r -> ids.contains(r.getTaskId()))
        .collect(Collectors.groupingBy(AgentResult::getTaskId));
  }

  static TopicTail<AgentResult> results() {
    return kit.tail(Topics.AGENT_RESULTS, false);
  }

  @Test
  void stoppingDrainsInFlightCallsPublishesTheirResultsAndCommitsEveryOffset() throws Exception {
    List<AgentTask> tasks = tasks("drain-" + UUID.randomUUID(), 20);
    Set<String> ids = tasks.stream().map(AgentTask::getTaskId).collect(Collectors.toSet());
    ConfigurableApplicationContext worker = startWorker("30s");
    try (TopicTail<AgentResult> tail = results()) {
      int before = callsReceived.get();
      send(tasks);
      await().atMost(Duration.ofSeconds(30)).until(() -> callsReceived.get() - before >= 20);

      worker.close(); // the calls are mid-flight: the drain lets them finish

      List<ConsumerRecord<String, AgentResult>> records =
          tail.awaitRecords(Duration.ofSeconds(10), rs -> ours(rs, ids).size() == ids.size());
      assertThat(ours(records, ids).values())
          .allSatisfy(
              l ->
                  assertThat(l)
                      .singleElement()
                      .satisfies(r -> assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED)));
      assertThat(uncommittedTasks()).isEmpty();
    } finally {
      worker.close();
    }
  }

  @Test
  void stoppingWithoutDrainLosesNoTaskBecauseUnfinishedOnesAreRedelivered() {
    List<AgentTask> tasks = tasks("crash-" + UUID.randomUUID(), 20);
    Set<String> ids = tasks.stream().map(AgentTask::getTaskId).collect(Collectors.toSet());
    try (TopicTail<AgentResult> tail = results()) {
      ConfigurableApplicationContext first = startWorker("0s");
      try {
        int before = callsReceived.get();
        send(tasks);
        await().atMost(Duration.ofSeconds(30)).until(() -> callsReceived.get() - before >= 20);
      } finally {
        first.close(); // no drain: the calls in flight are abandoned, their offsets uncommitted
      }

      ConfigurableApplicationContext second = startWorker("30s");
      try {
        List<ConsumerRecord<String, AgentResult>> records =
            tail.awaitRecords(Duration.ofSeconds(60), rs -> ours(rs, ids).size() == ids.size());
        assertThat(ours(records, ids).values())
            .allSatisfy(
                l ->
                    assertThat(l)
                        .allSatisfy(
                            r -> assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED)));
      } finally {
        second.close();
      }
    }
  }

  /** Partitions of moa.agent-tasks whose committed offset is behind the end. */
  static Map<TopicPartition, Long> uncommittedTasks() throws Exception {
    try (Admin admin = Admin.create(kit.settings().common())) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(AgentWorkerConfiguration.GROUP_ID)
              .partitionsToOffsetAndMetadata()
              .get();
      Map<TopicPartition, OffsetSpec> latest =
          IntStream.range(0, Topics.AGENT_TASKS.partitions())
              .boxed()
              .collect(
                  Collectors.toMap(
                      p -> new TopicPartition(Topics.AGENT_TASKS.name(), p),
                      p -> OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get();
      return ends.entrySet().stream()
          .filter(e -> e.getValue().offset() > 0)
          .filter(
              e ->
                  committed.get(e.getKey()) == null
                      || committed.get(e.getKey()).offset() < e.getValue().offset())
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
  }
}
