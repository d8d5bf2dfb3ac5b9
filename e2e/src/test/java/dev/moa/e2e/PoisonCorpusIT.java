package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.stack.LocalStack;
import dev.moa.protocol.avro.AgentSpec;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.LayerSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.consume.DeadLetters;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.SharedBroker;
import dev.moa.testing.TestServices;
import dev.moa.testing.TopicTail;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The raw-record corpus published into a live pipeline (every service, the real broker, the
 * simulator over HTTP) between good requests: every poison record ends in its topic's dead-letter
 * topic with its original bytes and the moa.dlt.* headers, and every good request still gets
 * exactly one committed answer. moa.runs entries are left out: that compacted topic keeps them
 * forever and every later orchestrator start would read them (RecordCorpusTest and
 * BarrierTopologyTest cover them).
 */
class PoisonCorpusIT {

  static final String CORPUS_HEADER = "moa.corpus.entry";

  private static KafkaSettings settings;
  private static Simulator sim;
  private static final List<ConfigurableApplicationContext> services = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    settings = SharedBroker.settingsWithTopics();
    sim =
        Simulator.start(
            SimulatorOptions.builder().defaultProfile(Profile.named("instant")).build());
    Path state = Files.createTempDirectory("poison-corpus-it");
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
  void everyPoisonRecordIsDeadLetteredAndEveryGoodRequestGetsExactlyOneAnswer() throws Exception {
    String run = UUID.randomUUID().toString();
    List<RecordCorpus.Entry> poison =
        RecordCorpus.entries().stream().filter(e -> !e.topic().equals(Topics.RUNS.name())).toList();
    var config = TestPipeline.config(TestPipeline.yaml(2, " {helper_response}"));
    int goodCount = 6;
    List<MoaRequest> good = new ArrayList<>();
    for (int i = 0; i < goodCount; i++) {
      good.add(TestPipeline.request(config, sim, "good question " + i + " of " + run));
    }
    Set<String> dltTopics =
        poison.stream().map(e -> RecordCorpus.dltName(e.topic())).collect(Collectors.toSet());
    Map<String, TopicTail<byte[]>> dlts = new LinkedHashMap<>();
    try (TopicTail<FinalAnswer> answers =
            new TopicTail<>(
                settings, Topics.ANSWERS.name(), new SkippingAnswers(), true /* committed */);
        KafkaProducer<String, byte[]> raw =
            TestServices.rawProducer(settings, "poison-corpus-it")) {
      for (String t : dltTopics) {
        dlts.put(t, new TopicTail<>(settings, t, new ByteArrayDeserializer(), false));
      }
      // Good requests and poison interleaved: every partition the poison lands on has good work
      // behind it.
      int perSlot = (poison.size() + goodCount - 1) / goodCount;
      for (int i = 0; i < goodCount; i++) {
        MoaRequest r = good.get(i);
        raw.send(
            new ProducerRecord<>(
                Topics.REQUESTS.name(), r.getRequestId(), Serdes.REQUEST.toBytes(r)));
        for (RecordCorpus.Entry e :
            poison.subList(
                Math.min(i * perSlot, poison.size()), Math.min((i + 1) * perSlot, poison.size()))) {
          RecordHeaders headers = new RecordHeaders();
          headers.add(CORPUS_HEADER, (run + "/" + e.name()).getBytes(StandardCharsets.UTF_8));
          raw.send(new ProducerRecord<>(e.topic(), null, "poison", e.value(), headers));
        }
      }
      raw.flush();

      Set<String> goodIds = good.stream().map(MoaRequest::getRequestId).collect(Collectors.toSet());
      List<ConsumerRecord<String, FinalAnswer>> seen =
          answers.awaitRecords(
              Duration.ofSeconds(120), rs -> ids(rs, goodIds).keySet().containsAll(goodIds));
      // Any duplicate would come soon after: keep reading a while.
      seen = answers.assertHoldsFor(Duration.ofSeconds(3), rs -> true);
      Map<String, List<FinalAnswer>> byId = ids(seen, goodIds);
      assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(goodIds);
      byId.forEach(
          (id, list) ->
              assertThat(list)
                  .as("answers of " + id)
                  .singleElement()
                  .satisfies(a -> assertThat(a.getStatus()).isEqualTo(AnswerStatus.SUCCEEDED)));

      Map<String, ConsumerRecord<String, byte[]>> dead = new HashMap<>();
      for (TopicTail<byte[]> tail : dlts.values()) {
        long expected =
            poison.stream().filter(e -> dlts.get(RecordCorpus.dltName(e.topic())) == tail).count();
        tail.awaitRecords(Duration.ofSeconds(60), rs -> ofRun(rs, run).size() >= expected)
            .forEach(
                r -> {
                  String entry = DeadLetters.header(r.headers(), CORPUS_HEADER);
                  if (entry != null && entry.startsWith(run + "/")) {
                    assertThat(dead.put(entry.substring(run.length() + 1), r))
                        .as("one dead letter per poison record: " + entry)
                        .isNull();
                  }
                });
      }
      for (RecordCorpus.Entry e : poison) {
        ConsumerRecord<String, byte[]> r = dead.get(e.name());
        assertThat(r).as("dead letter of " + e.name()).isNotNull();
        assertThat(r.topic()).isEqualTo(RecordCorpus.dltName(e.topic()));
        assertThat(r.key()).isEqualTo("poison");
        assertThat(r.value()).as(e.name() + " bytes").isEqualTo(e.value());
        assertThat(DeadLetters.header(r.headers(), DeadLetters.HEADER_ORIGINAL_TOPIC))
            .isEqualTo(e.topic());
        assertThat(DeadLetters.header(r.headers(), DeadLetters.HEADER_EXCEPTION_MESSAGE))
            .as(e.name() + " exception")
            .contains(e.expect());
        assertThat(DeadLetters.header(r.headers(), DeadLetters.HEADER_ORIGINAL_OFFSET))
            .matches("\\d+");
      }
    } finally {
      dlts.values().forEach(TopicTail::close);
    }
  }

  @Test
  void aLayerThatCannotReachMinSuccessesFailsItsRequestWithTheReason() {
    var config =
        TestPipeline.config(
            TestPipeline.yaml(2, " {helper_response}")
                .replace("min_successes: 1", "min_successes: 2"));
    MoaRequest good = TestPipeline.request(config, sim, "who answers?");
    // Two of the three agents of layer 1 call a port nothing listens on.
    var layers = new ArrayList<>(good.getConfig().getLayers());
    var agents = new ArrayList<>(layers.get(0).getAgents());
    for (int i = 0; i < 2; i++) {
      var spec = agents.get(i);
      agents.set(
          i,
          AgentSpec.newBuilder(spec)
              .setProvider(
                  ProviderRef.newBuilder(spec.getProvider())
                      .setBaseUrl("http://127.0.0.1:9/v1")
                      .build())
              .build());
    }
    layers.set(0, LayerSpec.newBuilder(layers.get(0)).setAgents(agents).build());
    MoaRequest request =
        MoaRequest.newBuilder(good)
            .setConfig(MoaConfigSnapshot.newBuilder(good.getConfig()).setLayers(layers).build())
            .build();

    FinalAnswer answer = TestPipeline.ask(settings, request, Duration.ofSeconds(120));

    assertThat(answer.getStatus()).isEqualTo(AnswerStatus.FAILED);
    assertThat(answer.getError())
        .startsWith("layer 1: 1 of 3 agents succeeded (min_successes 2): ")
        .contains("alpha: ")
        .contains("beta: ");
    assertThat(answer.getLayers()).hasSize(1);
  }

  private static List<ConsumerRecord<String, byte[]>> ofRun(
      List<ConsumerRecord<String, byte[]>> records, String run) {
    return records.stream()
        .filter(
            r -> {
              String entry = DeadLetters.header(r.headers(), CORPUS_HEADER);
              return entry != null && entry.startsWith(run + "/");
            })
        .toList();
  }

  private static Map<String, List<FinalAnswer>> ids(
      List<ConsumerRecord<String, FinalAnswer>> records, Set<String> wanted) {
    Map<String, List<FinalAnswer>> out = new HashMap<>();
    for (ConsumerRecord<String, FinalAnswer> r : records) {
      if (r.value() != null && wanted.contains(r.value().getRequestId())) {
        out.computeIfAbsent(r.value().getRequestId(), k -> new ArrayList<>()).add(r.value());
      }
    }
    return out;
  }

  /** Answers decoded; the corpus's own poison answers (and other ITs') read as null. */
  static final class SkippingAnswers
      implements org.apache.kafka.common.serialization.Deserializer<FinalAnswer> {
    @Override
    public FinalAnswer deserialize(String topic, byte[] data) {
      try {
        return data == null ? null : Serdes.FINAL_ANSWER.fromBytes(data);
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
