package dev.moa.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.topic.Topics;
import dev.moa.simulator.Simulator;
import dev.moa.testing.PipelineKit;
import dev.moa.testing.TopicTail;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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

class AggregatorIT {

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  static Simulator simulator;
  static ConfigurableApplicationContext app;
  static KafkaProducer<String, AggregateTask> producer;

  @BeforeAll
  static void start() {
    simulator = kit.instantSimulator();
    app = kit.service(AggregatorApplication.class);
    producer = kit.producer(Topics.AGGREGATE_TASKS, "aggregator-it");
  }

  static AgentOutput layerOutput(int index) {
    return AgentOutput.newBuilder()
        .setAgent("agent-" + index)
        .setModel("llama3.1-8b")
        .setLayer(0)
        .setAgentIndex(index)
        .setStatus(CallStatus.SUCCEEDED)
        .setContent("draft " + index)
        .setPromptTokens(10)
        .setCompletionTokens(5)
        .setSimulated(true)
        .build();
  }

  static AggregateTask task(String requestId, String baseUrl) {
    AgentTask call =
        AgentTask.newBuilder()
            .setTaskId(requestId + "/aggregate")
            .setRequestId(requestId)
            .setLayer(1)
            .setAgentIndex(0)
            .setAgentName("synth")
            .setRole(TaskRole.AGGREGATOR)
            .setModel("llama-3.3-70b")
            .setProvider(
                ProviderRef.newBuilder()
                    .setName("simulator")
                    .setBaseUrl(baseUrl)
                    .setSimulated(true)
                    .build())
            .setTemperature(0.2)
            .setMaxTokens(48)
            .setMessages(
                List.of(
                    new ChatMessage("system", "Synthesise the drafts."),
                    new ChatMessage("user", "What is MoA? (" + requestId + ")")))
            .setCreatedAtMs(System.currentTimeMillis())
            .build();
    return AggregateTask.newBuilder()
        .setRequestId(requestId)
        .setRunId("run-it")
        .setConfigName("it-config")
        .setCall(call)
        .setLayers(List.of(List.of(layerOutput(0), layerOutput(1))))
        .setSubmittedAtMs(System.currentTimeMillis() - 1_000)
        .build();
  }

  static void send(List<AggregateTask> tasks) {
    for (AggregateTask t : tasks) {
      producer.send(new ProducerRecord<>(Topics.AGGREGATE_TASKS.name(), t.getRequestId(), t));
    }
    producer.flush();
  }

  static TopicTail<FinalAnswer> answers() {
    return kit.tail(Topics.ANSWERS);
  }

  static Map<String, List<FinalAnswer>> byRequest(
      List<ConsumerRecord<String, FinalAnswer>> records, Set<String> ids) {
    return records.stream()
        .map(ConsumerRecord::value)
        .filter(a -> ids.contains(a.getRequestId()))
        .collect(Collectors.groupingBy(FinalAnswer::getRequestId));
  }

  @Test
  void everyAggregateTaskGetsExactlyOneCommittedAnswerAndItsChunksSpellIt() {
    List<AggregateTask> tasks =
        IntStream.range(0, 10)
            .mapToObj(i -> task("agg-" + UUID.randomUUID(), simulator.baseUrl()))
            .toList();
    Set<String> ids = tasks.stream().map(AggregateTask::getRequestId).collect(Collectors.toSet());

    try (TopicTail<FinalAnswer> answers = answers();
        TopicTail<AnswerChunk> chunks = kit.tail(Topics.ANSWER_CHUNKS, false)) {
      send(tasks);
      answers.awaitRecords(Duration.ofSeconds(60), rs -> byRequest(rs, ids).size() == ids.size());
      List<ConsumerRecord<String, FinalAnswer>> records =
          answers.assertHoldsFor(
              Duration.ofSeconds(2),
              rs -> byRequest(rs, ids).values().stream().allMatch(l -> l.size() == 1));
      Map<String, List<FinalAnswer>> byRequest = byRequest(records, ids);

      List<ConsumerRecord<String, AnswerChunk>> chunkRecords =
          chunks.awaitRecords(
              Duration.ofSeconds(30),
              rs ->
                  rs.stream().filter(r -> ids.contains(r.key()) && r.value().getDone()).count()
                      == ids.size());

      for (AggregateTask task : tasks) {
        FinalAnswer a = byRequest.get(task.getRequestId()).get(0);
        assertThat(a.getStatus()).as(a.toString()).isEqualTo(AnswerStatus.SUCCEEDED);
        assertThat(a.getAnswer()).startsWith("[simulated model llama-3.3-70b]");
        assertThat(a.getError()).isNull();
        assertThat(a.getConfigName()).isEqualTo("it-config");
        assertThat(a.getRunId()).isEqualTo("run-it");
        assertThat(a.getLayers()).isEqualTo(task.getLayers());
        assertThat(a.getAggregator().getAgent()).isEqualTo("synth");
        assertThat(a.getUsage().getPromptTokens())
            .isGreaterThan(20)
            .isEqualTo(20 + a.getAggregator().getPromptTokens());
        assertThat(a.getSimulated()).isTrue();
        assertThat(a.getLatencyMs()).isGreaterThanOrEqualTo(1_000);

        List<AnswerChunk> mine =
            chunkRecords.stream()
                .filter(r -> r.key().equals(task.getRequestId()))
                .map(ConsumerRecord::value)
                .sorted(Comparator.comparingInt(AnswerChunk::getSeq))
                .toList();
        assertThat(mine)
            .extracting(AnswerChunk::getSeq)
            .containsExactlyElementsOf(IntStream.range(0, mine.size()).boxed().toList());
        assertThat(mine.get(mine.size() - 1).getDone()).isTrue();
        assertThat(mine.subList(0, mine.size() - 1)).noneMatch(AnswerChunk::getDone);
        assertThat(mine.stream().map(AnswerChunk::getDelta).collect(Collectors.joining()))
            .isEqualTo(a.getAnswer());
      }
    }
  }

  @Test
  void unreachableAggregatorGivesAFailedAnswerWithTheReason() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    AggregateTask task =
        task("agg-fail-" + UUID.randomUUID(), "http://127.0.0.1:" + closedPort + "/v1");

    try (TopicTail<FinalAnswer> answers = answers()) {
      send(List.of(task));
      List<ConsumerRecord<String, FinalAnswer>> records =
          answers.awaitRecords(
              Duration.ofSeconds(60), rs -> !byRequest(rs, Set.of(task.getRequestId())).isEmpty());

      FinalAnswer a =
          byRequest(records, Set.of(task.getRequestId())).get(task.getRequestId()).get(0);
      assertThat(a.getStatus()).isEqualTo(AnswerStatus.FAILED);
      assertThat(a.getAnswer()).isEmpty();
      assertThat(a.getError()).startsWith("aggregator llama-3.3-70b: connection: ");
      assertThat(a.getAggregator().getStatus()).isEqualTo(CallStatus.FAILED);
      assertThat(a.getUsage().getPromptTokens()).isEqualTo(20);
    }
  }

  @Test
  void undecodableTaskIsDeadLetteredAndTheTaskBehindItIsStillAnswered() {
    byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    AggregateTask task = task("agg-dlt-" + UUID.randomUUID(), simulator.baseUrl());
    int partition = 3;

    try (TopicTail<FinalAnswer> answers = answers();
        TopicTail<byte[]> dlt =
            kit.tail(Topics.AGGREGATE_TASKS.dltName(), new ByteArrayDeserializer(), true);
        KafkaProducer<String, byte[]> raw = kit.rawProducer("aggregator-it-raw")) {
      raw.send(new ProducerRecord<>(Topics.AGGREGATE_TASKS.name(), partition, "garbage", garbage));
      raw.flush();
      producer.send(
          new ProducerRecord<>(
              Topics.AGGREGATE_TASKS.name(), partition, task.getRequestId(), task));
      producer.flush();

      List<ConsumerRecord<String, byte[]>> dead =
          dlt.awaitRecords(
              Duration.ofSeconds(60),
              rs -> rs.stream().anyMatch(r -> Arrays.equals(r.value(), garbage)));
      assertThat(dead)
          .filteredOn(r -> Arrays.equals(r.value(), garbage))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.key()).isEqualTo("garbage");
                assertThat(
                        new String(
                            r.headers().lastHeader("kafka_dlt-original-topic").value(),
                            StandardCharsets.UTF_8))
                    .isEqualTo(Topics.AGGREGATE_TASKS.name());
              });
      List<ConsumerRecord<String, FinalAnswer>> records =
          answers.awaitRecords(
              Duration.ofSeconds(60), rs -> !byRequest(rs, Set.of(task.getRequestId())).isEmpty());
      assertThat(byRequest(records, Set.of(task.getRequestId())).get(task.getRequestId()))
          .singleElement()
          .satisfies(a -> assertThat(a.getStatus()).isEqualTo(AnswerStatus.SUCCEEDED));
    }
  }

  @Test
  void prometheusEndpointTagsTheAggregatorCalls() throws Exception {
    AggregateTask task = task("agg-metrics-" + UUID.randomUUID(), simulator.baseUrl());
    try (TopicTail<FinalAnswer> answers = answers()) {
      send(List.of(task));
      answers.awaitRecords(
          Duration.ofSeconds(60), rs -> !byRequest(rs, Set.of(task.getRequestId())).isEmpty());
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
        .contains("gen_ai_client_operation_duration_seconds_count{")
        .contains("moa_agent=\"aggregator\"")
        .contains("moa_layer=\"aggregator\"")
        .doesNotContain(task.getRequestId());
  }
}
