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
import dev.moa.simulator.ReceivedCall;
import dev.moa.simulator.Simulator;
import dev.moa.testing.PipelineKit;
import dev.moa.testing.TopicTail;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** A cached aggregator answer: one model call, and the cached answer still streams its chunks. */
class AggregatorCacheIT {

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  static Simulator simulator;
  static final List<ReceivedCall> calls = new CopyOnWriteArrayList<>();
  static ConfigurableApplicationContext app;
  static KafkaProducer<String, AggregateTask> producer;

  @BeforeAll
  static void start() {
    simulator = kit.instantSimulator();
    simulator.addListener(calls::add);
    app = kit.service(AggregatorApplication.class);
    producer = kit.producer(Topics.AGGREGATE_TASKS, "aggregator-cache-it");
  }

  static AggregateTask task(String question, double temperature) {
    String requestId = "aggc-" + UUID.randomUUID();
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
                    .setBaseUrl(simulator.baseUrl())
                    .setSimulated(true)
                    .build())
            .setTemperature(temperature)
            .setMaxTokens(48)
            .setMessages(
                List.of(
                    new ChatMessage("system", "Synthesise the drafts."),
                    new ChatMessage("user", question)))
            .setUseCache(true)
            .setCreatedAtMs(System.currentTimeMillis())
            .build();
    AgentOutput draft =
        AgentOutput.newBuilder()
            .setAgent("agent-0")
            .setModel("llama3.1-8b")
            .setLayer(0)
            .setAgentIndex(0)
            .setStatus(CallStatus.SUCCEEDED)
            .setContent("draft")
            .setPromptTokens(10)
            .setCompletionTokens(5)
            .setSimulated(true)
            .build();
    return AggregateTask.newBuilder()
        .setRequestId(requestId)
        .setConfigName("it-config")
        .setCall(call)
        .setLayers(List.of(List.of(draft)))
        .setSubmittedAtMs(System.currentTimeMillis())
        .build();
  }

  static long callsAsking(String question) {
    return calls.stream()
        .filter(c -> c.messages().get(c.messages().size() - 1).content().equals(question))
        .count();
  }

  record Answered(FinalAnswer answer, List<AnswerChunk> chunks) {}

  /** Sends one task; waits for its committed answer and its closing chunk. */
  static Answered run(AggregateTask task) {
    String id = task.getRequestId();
    try (TopicTail<FinalAnswer> answers = kit.tail(Topics.ANSWERS);
        TopicTail<AnswerChunk> chunks = kit.tail(Topics.ANSWER_CHUNKS, false)) {
      producer.send(new ProducerRecord<>(Topics.AGGREGATE_TASKS.name(), id, task));
      producer.flush();
      FinalAnswer answer =
          answers
              .awaitRecords(
                  Duration.ofSeconds(60),
                  rs -> rs.stream().anyMatch(r -> r.value().getRequestId().equals(id)))
              .stream()
              .map(ConsumerRecord::value)
              .filter(a -> a.getRequestId().equals(id))
              .findFirst()
              .orElseThrow();
      List<AnswerChunk> mine =
          chunks
              .awaitRecords(
                  Duration.ofSeconds(30),
                  rs -> rs.stream().anyMatch(r -> r.key().equals(id) && r.value().getDone()))
              .stream()
              .filter(r -> r.key().equals(id))
              .map(ConsumerRecord::value)
              .sorted(Comparator.comparingInt(AnswerChunk::getSeq))
              .toList();
      return new Answered(answer, mine);
    }
  }

  @Test
  void aRepeatedTemperatureZeroAggregationCallsOnceAndTheCachedAnswerStillStreams() {
    String question = "What is MoA? (" + UUID.randomUUID() + ")";

    Answered first = run(task(question, 0.0));
    Answered second = run(task(question, 0.0));

    assertThat(callsAsking(question)).isEqualTo(1);
    assertThat(first.answer().getStatus()).isEqualTo(AnswerStatus.SUCCEEDED);
    assertThat(first.answer().getAggregator().getCached()).isFalse();
    FinalAnswer cached = second.answer();
    assertThat(cached.getStatus()).as(cached.toString()).isEqualTo(AnswerStatus.SUCCEEDED);
    assertThat(cached.getAggregator().getCached()).isTrue();
    assertThat(cached.getAnswer()).isEqualTo(first.answer().getAnswer()).isNotEmpty();
    assertThat(cached.getUsage()).isEqualTo(first.answer().getUsage());

    // moa ask shows the chunks: the cached answer arrives as content chunk(s) and a closing one.
    List<AnswerChunk> chunks = second.chunks();
    assertThat(chunks)
        .extracting(AnswerChunk::getSeq)
        .containsExactlyElementsOf(IntStream.range(0, chunks.size()).boxed().toList());
    assertThat(chunks.get(chunks.size() - 1).getDone()).isTrue();
    assertThat(chunks.stream().map(AnswerChunk::getDelta).collect(Collectors.joining()))
        .isEqualTo(cached.getAnswer());
  }

  @Test
  void aNonZeroTemperatureAggregationIsCalledEveryTime() {
    String question = "What is MoA? (" + UUID.randomUUID() + ")";

    Answered first = run(task(question, 0.2));
    Answered second = run(task(question, 0.2));

    assertThat(callsAsking(question)).isEqualTo(2);
    assertThat(List.of(first.answer(), second.answer()))
        .allSatisfy(a -> assertThat(a.getAggregator().getCached()).isFalse());
  }
}
