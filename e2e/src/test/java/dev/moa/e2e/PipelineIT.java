package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.stack.LocalStack;
import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.topic.TopicSpec;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.ReceivedCall;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.SharedBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** One MoA request through every real service, the real broker and the simulator over HTTP. */
class PipelineIT {

  /** Together AI's aggregate-and-synthesize prompt, written out here independently of the code. */
  private static final String REFERENCE =
      "You have been provided with a set of responses from various open-source models to the"
          + " latest user query. Your task is to synthesize these responses into a single,"
          + " high-quality response. It is crucial to critically evaluate the information provided"
          + " in these responses, recognizing that some of it may be biased or incorrect. Your"
          + " response should not simply replicate the given answers but should offer a refined,"
          + " accurate, and comprehensive reply to the instruction. Ensure your response is"
          + " well-structured, coherent, and adheres to the highest standards of accuracy and"
          + " reliability.\n\nResponses from models:";

  private static final String QUESTION = "Plan a trip {for two} to SF, budget $1 \\ day?";

  private static KafkaSettings settings;
  private static Simulator sim;
  private static final List<ReceivedCall> calls = new CopyOnWriteArrayList<>();
  private static final List<ConfigurableApplicationContext> services = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    settings = SharedBroker.settingsWithTopics();
    sim =
        Simulator.start(
            SimulatorOptions.builder().defaultProfile(Profile.named("instant")).build());
    sim.addListener(calls::add);
    Path state = Files.createTempDirectory("pipeline-it");
    for (String s : LocalStack.SERVICES.keySet()) {
      services.add(TestPipeline.inProcess(s, settings.bootstrap(), sim, state));
    }
  }

  @AfterAll
  static void stop() {
    services.forEach(ConfigurableApplicationContext::close);
    sim.close();
  }

  @Test
  void promptsReachTheModelWordForWordLayerByLayer() {
    var config = TestPipeline.config(TestPipeline.yaml(3, " {helper_response}"));
    MoaRequest request = TestPipeline.request(config, sim, QUESTION);
    calls.clear();

    FinalAnswer answer = TestPipeline.ask(settings, request, Duration.ofSeconds(60));

    assertThat(answer.getStatus()).isEqualTo(AnswerStatus.SUCCEEDED);
    assertThat(answer.getLayers()).hasSize(3).allSatisfy(l -> assertThat(l).hasSize(3));
    assertThat(answer.getAnswer()).startsWith("[simulated model model-agg]");
    assertThat(answer.getSimulated()).isTrue();

    List<String> expected = new ArrayList<>();
    for (int layer = 1; layer <= 3; layer++) {
      String helper = layer == 1 ? "" : references(answer.getLayers().get(layer - 2));
      expected.add(call("model-a", "Alpha {style}: think. " + helper));
      expected.add(call("model-b", "Beta {{literal}}. " + helper));
      expected.add(
          call(
              "model-c",
              layer == 1
                  ? "Gamma without placeholder."
                  : "Gamma without placeholder.\n\n" + helper));
    }
    expected.add(
        call("model-agg", "Aggregate $1 {x}.\n\n" + references(answer.getLayers().get(2))));

    List<String> received =
        calls.stream()
            .map(
                c -> {
                  assertThat(c.messages()).hasSize(2);
                  assertThat(c.messages().get(0).role()).isEqualTo("system");
                  assertThat(c.messages().get(1).role()).isEqualTo("user");
                  assertThat(c.messages().get(1).content()).isEqualTo(QUESTION);
                  return call(c.model(), c.messages().get(0).content());
                })
            .toList();
    assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void usageAddsUpOverEveryCall() {
    var config = TestPipeline.config(TestPipeline.yaml(2, " {helper_response}"));
    FinalAnswer answer =
        TestPipeline.ask(settings, TestPipeline.request(config, sim, "hi"), Duration.ofSeconds(60));
    int prompt = answer.getAggregator().getPromptTokens();
    int completion = answer.getAggregator().getCompletionTokens();
    for (List<AgentOutput> layer : answer.getLayers()) {
      for (AgentOutput o : layer) {
        assertThat(o.getCompletionTokens()).isPositive();
        prompt += o.getPromptTokens();
        completion += o.getCompletionTokens();
      }
    }
    assertThat(answer.getUsage().getPromptTokens()).isEqualTo(prompt);
    assertThat(answer.getUsage().getCompletionTokens()).isEqualTo(completion);
  }

  @Test
  void aPlainKafkaClientSeesTheAvroSingleObjectMarkerOnEveryTopic() {
    var config = TestPipeline.config(TestPipeline.yaml(1, " {helper_response}"));
    TestPipeline.ask(
        settings, TestPipeline.request(config, sim, "marker?"), Duration.ofSeconds(60));

    Map<String, Object> props = new HashMap<>(settings.consumer(null, true));
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      for (TopicSpec<String, ?> spec :
          List.of(
              Topics.REQUESTS,
              Topics.AGENT_TASKS,
              Topics.AGENT_RESULTS,
              Topics.AGGREGATE_TASKS,
              Topics.ANSWERS,
              Topics.ANSWER_CHUNKS)) {
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < spec.partitions(); p++) {
          parts.add(new TopicPartition(spec.name(), p));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (seen.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
        assertThat(seen).as(spec.name()).isNotEmpty();
        for (ConsumerRecord<byte[], byte[]> r : seen) {
          if (r.key() != null && "poison".equals(new String(r.key(), StandardCharsets.UTF_8))) {
            continue; // MetricsIT's and PromqlIT's deliberate poison on the shared broker
          }
          assertThat(r.value()[0]).as(spec.name()).isEqualTo((byte) 0xC3);
          assertThat(r.value()[1]).as(spec.name()).isEqualTo((byte) 0x01);
        }
      }
    }
  }

  private static String references(List<AgentOutput> previous) {
    StringBuilder sb = new StringBuilder(REFERENCE);
    int i = 1;
    for (AgentOutput o : previous) {
      sb.append('\n').append(i++).append(". ").append(o.getContent());
    }
    return sb.toString();
  }

  private static String call(String model, String system) {
    return model + " | " + system;
  }
}
