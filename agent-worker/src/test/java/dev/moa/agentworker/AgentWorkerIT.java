package dev.moa.agentworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.topic.Topics;
import dev.moa.simulator.Profile;
import dev.moa.simulator.ReceivedCall;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.PipelineKit;
import dev.moa.testing.TopicTail;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

class AgentWorkerIT {

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  static Simulator instant;
  static Simulator oneSecond;

  /** Instant, except {@link #SLOW_MODEL}, which answers after 1.5 s. */
  static Simulator mixed;

  static final String SLOW_MODEL = "slow-model";
  static final List<ReceivedCall> mixedCalls = new CopyOnWriteArrayList<>();
  static ConfigurableApplicationContext app;
  static KafkaProducer<String, AgentTask> producer;

  @BeforeAll
  static void start() {
    instant = kit.instantSimulator();
    oneSecond =
        kit.simulator(
            SimulatorOptions.builder()
                .defaultProfile(new Profile("one-second", 1.0, Double.POSITIVE_INFINITY))
                .timeScale(1.0)
                .build());
    mixed =
        kit.simulator(
            SimulatorOptions.builder()
                .defaultProfile(Profile.named("instant"))
                .modelProfile(SLOW_MODEL, new Profile("slow", 1.5, Double.POSITIVE_INFINITY))
                .timeScale(1.0)
                .build());
    mixed.addListener(mixedCalls::add);
    app = kit.service(AgentWorkerApplication.class);
    producer = kit.producer(Topics.AGENT_TASKS, "agent-worker-it");
  }

  static ProviderRef provider(Simulator simulator, String keyEnv) {
    return ProviderRef.newBuilder()
        .setName("simulator")
        .setBaseUrl(simulator.baseUrl())
        .setApiKeyEnv(keyEnv)
        .setSimulated(true)
        .build();
  }

  static AgentTask task(String requestId, int layer, int index, ProviderRef provider) {
    return AgentTask.newBuilder()
        .setTaskId(requestId + "/" + layer + "/" + index)
        .setRequestId(requestId)
        .setLayer(layer)
        .setAgentIndex(index)
        .setAgentName("agent-" + index)
        .setRole(TaskRole.AGENT)
        .setModel(index % 2 == 0 ? "llama3.1-8b" : "qwen-3-32b")
        .setProvider(provider)
        .setTemperature(0.7)
        .setMaxTokens(64)
        .setMessages(List.of(new ChatMessage("user", "Name three primes. (" + requestId + ")")))
        .setAttempt(0)
        .setCreatedAtMs(System.currentTimeMillis())
        .build();
  }

  static void send(List<AgentTask> tasks) {
    for (AgentTask t : tasks) {
      producer.send(new ProducerRecord<>(Topics.AGENT_TASKS.name(), t.getTaskId(), t));
    }
    producer.flush();
  }

  static TopicTail<AgentResult> results() {
    return kit.tail(Topics.AGENT_RESULTS, false);
  }

  static Map<String, List<AgentResult>> byTaskId(
      List<ConsumerRecord<String, AgentResult>> records, Set<String> taskIds) {
    return records.stream()
        .map(ConsumerRecord::value)
        .filter(r -> taskIds.contains(r.getTaskId()))
        .collect(Collectors.groupingBy(AgentResult::getTaskId));
  }

  @Test
  void everyTaskGetsExactlyOneSucceededResultKeyedByRequestId() {
    String requestId = "aw-" + UUID.randomUUID();
    List<AgentTask> tasks =
        IntStream.range(0, 12)
            .mapToObj(i -> task(requestId, i / 4, i % 4, provider(instant, null)))
            .toList();
    Set<String> ids = tasks.stream().map(AgentTask::getTaskId).collect(Collectors.toSet());

    try (TopicTail<AgentResult> tail = results()) {
      send(tasks);
      tail.awaitRecords(Duration.ofSeconds(60), rs -> byTaskId(rs, ids).size() == ids.size());
      List<ConsumerRecord<String, AgentResult>> records =
          tail.assertHoldsFor(
              Duration.ofSeconds(2),
              rs -> byTaskId(rs, ids).values().stream().allMatch(l -> l.size() == 1));

      Map<String, AgentTask> taskById =
          tasks.stream().collect(Collectors.toMap(AgentTask::getTaskId, Function.identity()));
      List<ConsumerRecord<String, AgentResult>> ours =
          records.stream().filter(r -> ids.contains(r.value().getTaskId())).toList();
      assertThat(ours).hasSize(12);
      for (ConsumerRecord<String, AgentResult> record : ours) {
        AgentResult r = record.value();
        AgentTask t = taskById.get(r.getTaskId());
        assertThat(record.key()).isEqualTo(requestId);
        assertThat(r.getStatus()).as(r.toString()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(r.getContent()).startsWith("[simulated model " + t.getModel() + "]");
        assertThat(r.getUsage().getPromptTokens()).isPositive();
        assertThat(r.getUsage().getCompletionTokens()).isPositive();
        assertThat(r.getLayer()).isEqualTo(t.getLayer());
        assertThat(r.getAgentIndex()).isEqualTo(t.getAgentIndex());
        assertThat(r.getAgentName()).isEqualTo(t.getAgentName());
        assertThat(r.getSimulated()).isTrue();
        assertThat(r.getTimings().getAttempts()).isEqualTo(1);
      }
    }
  }

  @Test
  void taskWhoseKeyVariableIsUnsetFailsWithMissingKey() {
    String variable = "MOA_IT_UNSET_KEY_" + UUID.randomUUID().toString().replace("-", "");
    AgentTask task = task("aw-" + UUID.randomUUID(), 0, 0, provider(instant, variable));

    try (TopicTail<AgentResult> tail = results()) {
      send(List.of(task));
      List<ConsumerRecord<String, AgentResult>> records =
          tail.awaitRecords(
              Duration.ofSeconds(60), rs -> !byTaskId(rs, Set.of(task.getTaskId())).isEmpty());

      AgentResult r = byTaskId(records, Set.of(task.getTaskId())).get(task.getTaskId()).get(0);
      assertThat(r.getStatus()).isEqualTo(CallStatus.FAILED);
      assertThat(r.getError().getErrorClass()).isEqualTo("missing_key");
      assertThat(r.getError().getMessage()).contains(variable);
    }
  }

  @Test
  void impossibleTaskGetsAFailedInvalidTaskResult() {
    AgentTask task =
        AgentTask.newBuilder(task("aw-" + UUID.randomUUID(), 0, 0, provider(instant, null)))
            .setMaxTokens(0)
            .build();

    try (TopicTail<AgentResult> tail = results()) {
      send(List.of(task));
      List<ConsumerRecord<String, AgentResult>> records =
          tail.awaitRecords(
              Duration.ofSeconds(60), rs -> !byTaskId(rs, Set.of(task.getTaskId())).isEmpty());

      AgentResult r = byTaskId(records, Set.of(task.getTaskId())).get(task.getTaskId()).get(0);
      assertThat(r.getStatus()).isEqualTo(CallStatus.FAILED);
      assertThat(r.getError().getErrorClass()).isEqualTo("invalid_task");
      assertThat(r.getError().getMessage()).contains("max_tokens").contains("0");
    }
  }

  @Test
  void undecodableTaskIsDeadLetteredAndTheTaskBehindItStillRuns() {
    byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    AgentTask task = task("aw-" + UUID.randomUUID(), 0, 0, provider(instant, null));
    int partition = 5;

    try (TopicTail<AgentResult> tail = results();
        TopicTail<byte[]> dlt =
            kit.tail(Topics.AGENT_TASKS.dltName(), new ByteArrayDeserializer(), false);
        KafkaProducer<String, byte[]> raw = kit.rawProducer("agent-worker-it-raw")) {
      raw.send(new ProducerRecord<>(Topics.AGENT_TASKS.name(), partition, "garbage", garbage));
      raw.flush();
      producer.send(
          new ProducerRecord<>(Topics.AGENT_TASKS.name(), partition, task.getTaskId(), task));
      producer.flush();

      List<ConsumerRecord<String, byte[]>> dead =
          dlt.awaitRecords(
              Duration.ofSeconds(60),
              rs -> rs.stream().anyMatch(r -> java.util.Arrays.equals(r.value(), garbage)));
      assertThat(dead).anySatisfy(r -> assertThat(r.key()).isEqualTo("garbage"));
      List<ConsumerRecord<String, AgentResult>> records =
          tail.awaitRecords(
              Duration.ofSeconds(60), rs -> !byTaskId(rs, Set.of(task.getTaskId())).isEmpty());
      assertThat(byTaskId(records, Set.of(task.getTaskId())).get(task.getTaskId()))
          .singleElement()
          .satisfies(r -> assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED));
    }
  }

  @Test
  void twoHundredOneSecondCallsRunInParallelNotOneAfterAnother() {
    String requestId = "aw-par-" + UUID.randomUUID();
    List<AgentTask> tasks =
        IntStream.range(0, 200)
            .mapToObj(i -> task(requestId, 0, i, provider(oneSecond, null)))
            .toList();
    Set<String> ids = tasks.stream().map(AgentTask::getTaskId).collect(Collectors.toSet());

    try (TopicTail<AgentResult> tail = results()) {
      long start = System.nanoTime();
      send(tasks);
      List<ConsumerRecord<String, AgentResult>> records =
          tail.awaitRecords(Duration.ofSeconds(30), rs -> byTaskId(rs, ids).size() == ids.size());
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).isLessThan(Duration.ofSeconds(30));
      assertThat(byTaskId(records, ids).values())
          .allSatisfy(
              l ->
                  assertThat(l)
                      .singleElement()
                      .satisfies(r -> assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED)));
      // Each call really took about a second: parallelism, not a fast simulator, made it quick.
      assertThat(byTaskId(records, ids).values())
          .allSatisfy(l -> assertThat(l.get(0).getTimings().getDurationMs()).isGreaterThan(900));
    }
  }

  @Test
  void slowTaskDoesNotHoldBackAFastTaskBehindItOnTheSamePartition() {
    String requestId = "aw-hol-" + UUID.randomUUID();
    AgentTask slow =
        AgentTask.newBuilder(task(requestId, 0, 0, provider(mixed, null)))
            .setModel(SLOW_MODEL)
            .build();
    AgentTask fast = task(requestId, 0, 1, provider(mixed, null));
    Set<String> ids = Set.of(slow.getTaskId(), fast.getTaskId());
    int partition = 9;

    try (TopicTail<AgentResult> tail = results()) {
      producer.send(
          new ProducerRecord<>(Topics.AGENT_TASKS.name(), partition, slow.getTaskId(), slow));
      producer.flush();
      // The slow call is under way before the fast task exists, so the two come in different polls.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  mixedCalls.stream()
                      .anyMatch(
                          c ->
                              c.model().equals(SLOW_MODEL)
                                  && c.messages().get(0).content().contains(requestId)));
      producer.send(
          new ProducerRecord<>(Topics.AGENT_TASKS.name(), partition, fast.getTaskId(), fast));
      producer.flush();

      List<ConsumerRecord<String, AgentResult>> records =
          tail.awaitRecords(Duration.ofSeconds(30), rs -> byTaskId(rs, ids).size() == 2);
      Map<String, List<AgentResult>> results = byTaskId(records, ids);
      AgentResult slowResult = results.get(slow.getTaskId()).get(0);
      AgentResult fastResult = results.get(fast.getTaskId()).get(0);

      assertThat(List.of(slowResult, fastResult))
          .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED));
      assertThat(slowResult.getTimings().getDurationMs()).isGreaterThan(1400);
      assertThat(fastResult.getCompletedAtMs()).isLessThan(slowResult.getCompletedAtMs() - 1000);
      assertThat(records.stream().map(r -> r.value().getTaskId()).filter(ids::contains).toList())
          .containsExactly(fast.getTaskId(), slow.getTaskId());
    }
  }

  @Test
  void prometheusEndpointExposesGenAiCallMetrics() throws Exception {
    AgentTask task = task("aw-" + UUID.randomUUID(), 0, 0, provider(instant, null));
    try (TopicTail<AgentResult> tail = results()) {
      send(List.of(task));
      tail.awaitRecords(
          Duration.ofSeconds(60), rs -> !byTaskId(rs, Set.of(task.getTaskId())).isEmpty());
    }
    String port = app.getEnvironment().getProperty("local.server.port");

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("gen_ai_client_operation_duration_seconds_bucket{")
        .contains("gen_ai_client_token_usage_bucket{")
        .contains("gen_ai_server_time_to_first_token_seconds_bucket{")
        .contains("moa_inflight_calls")
        .contains("moa_agent=\"agent-0\"")
        .doesNotContain(task.getRequestId());
  }
}
