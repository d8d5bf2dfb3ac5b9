package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.SharedBroker;
import dev.moa.testing.TestServices;
import dev.moa.testing.TopicTail;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A real SIGTERM to an agent-worker process with calls in flight: it takes no new task, lets the
 * running calls finish within its configured drain timeout, publishes their results, commits their
 * offsets and exits well before the grace period a pod would get.
 */
class SigtermDrainIT {

  private static final String GROUP = "moa-agent-workers";

  @Test
  void sigtermDrainsInFlightCallsCommitsAndExits() throws Exception {
    KafkaSettings settings = SharedBroker.settingsWithTopics();
    AtomicInteger received = new AtomicInteger();
    Path work = Files.createTempDirectory("sigterm-it");
    try (Simulator sim =
            Simulator.start(
                SimulatorOptions.builder()
                    .defaultProfile(new Profile("three-seconds", 3.0, Double.POSITIVE_INFINITY))
                    .timeScale(1.0)
                    .build());
        KafkaProducer<String, AgentTask> producer =
            TestServices.producer(settings, Topics.AGENT_TASKS, "sigterm-it");
        TopicTail<AgentResult> results =
            new TopicTail<>(
                settings, Topics.AGENT_RESULTS.name(), Serdes.AGENT_RESULT.deserializer(), false)) {
      sim.addListener(c -> received.incrementAndGet());
      Process worker =
          TestPipeline.childProcess(
              "agent-worker", settings.bootstrap(), work, "--moa.agent-worker.drain-timeout=25s");
      try {
        String request = "sigterm-" + UUID.randomUUID();
        List<AgentTask> tasks = tasks(request, 8, sim.baseUrl());
        Map<TopicPartition, Long> lastOffset = new HashMap<>();
        for (AgentTask t : tasks) {
          RecordMetadata m =
              producer
                  .send(new ProducerRecord<>(Topics.AGENT_TASKS.name(), t.getTaskId(), t))
                  .get(30, TimeUnit.SECONDS);
          lastOffset.merge(new TopicPartition(m.topic(), m.partition()), m.offset(), Math::max);
        }
        // Every call is running (3 s each) when the signal arrives.
        await().atMost(Duration.ofSeconds(90)).until(() -> received.get() >= tasks.size());
        long signalled = System.nanoTime();
        worker.destroy(); // SIGTERM
        assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - signalled);

        Set<String> ids = tasks.stream().map(AgentTask::getTaskId).collect(Collectors.toSet());
        List<ConsumerRecord<String, AgentResult>> seen =
            results.awaitRecords(Duration.ofSeconds(10), rs -> ours(rs, ids).size() == ids.size());
        Map<String, List<AgentResult>> byTask = ours(seen, ids);
        assertThat(byTask.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        byTask.forEach(
            (id, rs) ->
                assertThat(rs)
                    .as(id)
                    .singleElement()
                    .satisfies(r -> assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED)));
        assertThat(took)
            .as("drained within the 25 s drain timeout")
            .isLessThan(Duration.ofSeconds(25));

        Map<TopicPartition, OffsetAndMetadata> committed = TestPipeline.committed(settings, GROUP);
        lastOffset.forEach(
            (tp, offset) ->
                assertThat(committed.get(tp))
                    .as("committed offset of " + tp)
                    .isNotNull()
                    .satisfies(c -> assertThat(c.offset()).isGreaterThan(offset)));
      } finally {
        TestPipeline.kill(worker);
      }
    }
  }

  private static Map<String, List<AgentResult>> ours(
      List<ConsumerRecord<String, AgentResult>> records, Set<String> ids) {
    return records.stream()
        .map(ConsumerRecord::value)
        .filter(r -> r != null && ids.contains(r.getTaskId()))
        .collect(Collectors.groupingBy(AgentResult::getTaskId));
  }

  private static List<AgentTask> tasks(String requestId, int count, String baseUrl) {
    ProviderRef provider =
        ProviderRef.newBuilder()
            .setName("simulator")
            .setBaseUrl(baseUrl)
            .setSimulated(true)
            .build();
    return IntStream.range(0, count)
        .mapToObj(
            i ->
                AgentTask.newBuilder()
                    .setTaskId(requestId + ":L1:A" + i)
                    .setRequestId(requestId)
                    .setLayer(1)
                    .setAgentIndex(i)
                    .setAgentName("agent-" + i)
                    .setModel("llama3.1-8b")
                    .setProvider(provider)
                    .setTemperature(0.2)
                    .setMaxTokens(16)
                    .setMessages(List.of(new ChatMessage("user", "hi " + requestId)))
                    .setCreatedAtMs(System.currentTimeMillis())
                    .build())
        .toList();
  }
}
