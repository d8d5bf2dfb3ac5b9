package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.cli.AnswerWatcher;
import dev.moa.cli.Dirs;
import dev.moa.cli.stack.LocalStack;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.TopicSpec;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.SharedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Crashes (SIGKILL of a service's JVM) and redeliveries on the real broker: nothing lost, nothing
 * duplicated as a read_committed consumer sees it.
 */
class CrashRecoveryIT {

  private KafkaSettings settings;
  private Simulator sim;
  private Path work;
  private final List<ConfigurableApplicationContext> services = new ArrayList<>();
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    settings = SharedBroker.settingsWithTopics();
    // About one second per call: a crash lands while calls are in flight.
    sim =
        Simulator.start(
            SimulatorOptions.builder().defaultProfile(new Profile("slow", 0.8, 200)).build());
    work = Files.createTempDirectory("crash-it");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : children) {
      TestPipeline.kill(p);
    }
    services.forEach(ConfigurableApplicationContext::close);
    sim.close();
  }

  @Test
  void agentWorkerKilledWithCallsInFlightLosesNoRequest() throws Exception {
    services.add(
        TestPipeline.inProcess("orchestrator", settings.bootstrap(), sim, work.resolve("o")));
    services.add(
        TestPipeline.inProcess("aggregator", settings.bootstrap(), sim, work.resolve("o")));
    Process worker = TestPipeline.childProcess("agent-worker", settings.bootstrap(), work);
    children.add(worker);

    var config = TestPipeline.config(TestPipeline.yaml(2, " {helper_response}"));
    List<MoaRequest> requests = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      requests.add(TestPipeline.request(config, sim, "question " + i));
    }
    answersAcrossCrash(
        requests,
        10,
        Duration.ofSeconds(90),
        () -> {
          // Kill the worker once calls are in flight, then bring up a replacement.
          TestPipeline.kill(worker);
          services.add(
              TestPipeline.inProcess("agent-worker", settings.bootstrap(), sim, work.resolve("o")));
        },
        Duration.ofSeconds(120),
        Duration.ofSeconds(3));
  }

  @Test
  void orchestratorKilledMidRequestStillYieldsExactlyOneFinalAnswerPerRequest() throws Exception {
    services.add(
        TestPipeline.inProcess("agent-worker", settings.bootstrap(), sim, work.resolve("w")));
    services.add(
        TestPipeline.inProcess("aggregator", settings.bootstrap(), sim, work.resolve("w")));
    Path state = work.resolve("orchestrator-state");
    Process orchestrator = startOrchestrator(work, state);

    var config = TestPipeline.config(TestPipeline.yaml(3, " {helper_response}"));
    List<MoaRequest> requests = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      requests.add(TestPipeline.request(config, sim, "restart " + i));
    }
    // Layer 1 is under way (its calls reached the model): kill the barrier's process.
    answersAcrossCrash(
        requests,
        15,
        Duration.ofSeconds(90),
        () -> restartOrchestratorWithoutState(orchestrator, state),
        Duration.ofSeconds(150),
        Duration.ofSeconds(5));
  }

  @Test
  void orchestratorKilledMidCriticLoopStillYieldsExactlyOneAnswerWithAWholeLoop() throws Exception {
    services.add(
        TestPipeline.inProcess("agent-worker", settings.bootstrap(), sim, work.resolve("w")));
    services.add(
        TestPipeline.inProcess("aggregator", settings.bootstrap(), sim, work.resolve("w")));
    Path state = work.resolve("orchestrator-state");
    Process orchestrator = startOrchestrator(work, state);

    var config =
        TestPipeline.config(Files.readString(Path.of("..", "configs", "planner-critic.yaml")));
    List<MoaRequest> requests = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      requests.add(TestPipeline.request(config, sim, "critic restart " + i));
    }
    // Round 0 takes 90 calls (8 planners and a critic each): past it, loops are under way.
    Map<String, FinalAnswer> answers =
        answersAcrossCrash(
            requests,
            95,
            Duration.ofSeconds(120),
            () -> restartOrchestratorWithoutState(orchestrator, state),
            Duration.ofSeconds(180),
            Duration.ofSeconds(5));
    int looped = 0;
    for (Map.Entry<String, FinalAnswer> e : answers.entrySet()) {
      String id = e.getKey();
      List<List<dev.moa.protocol.avro.AgentOutput>> passes = e.getValue().getLayers();
      assertThat(passes.size()).as(id).isEven().isBetween(2, 6);
      for (int i = 0; i < passes.size(); i++) {
        // Exactly one pass of each layer per round, in order: no pass lost or run twice.
        assertThat(passes.get(i).get(0).getLayer()).as(id).isEqualTo(i % 2 + 1);
        assertThat(passes.get(i).get(0).getRound()).as(id).isEqualTo(i / 2);
      }
      looped += passes.size() > 2 ? 1 : 0;
    }
    assertThat(looped).as("requests whose critic rejected").isPositive();
  }

  /** What a test does once the model calls are under way: kill a service, start its stand-in. */
  @FunctionalInterface
  private interface Crash {
    void run() throws Exception;
  }

  /**
   * Submits the requests, runs {@code crash} once the simulator has received {@code calls} model
   * calls, then waits for every request's final answer and asserts that each got exactly one, all
   * SUCCEEDED, as a read_committed consumer sees them.
   *
   * @return each request's final answer, by request id
   */
  private Map<String, FinalAnswer> answersAcrossCrash(
      List<MoaRequest> requests,
      int calls,
      Duration callsWithin,
      Crash crash,
      Duration answersWithin,
      Duration drain)
      throws Exception {
    AtomicInteger received = new AtomicInteger();
    sim.addListener(c -> received.incrementAndGet());
    Map<String, Integer> answers = new ConcurrentHashMap<>();
    try (AnswerCounter counter = new AnswerCounter(settings, answers)) {
      try (AnswerWatcher submitter = new AnswerWatcher(settings)) {
        requests.forEach(submitter::submit);
      }
      await().atMost(callsWithin).until(() -> received.get() >= calls);
      crash.run();

      Set<String> ids =
          new java.util.HashSet<>(requests.stream().map(MoaRequest::getRequestId).toList());
      await()
          .atMost(answersWithin)
          .untilAsserted(() -> assertThat(counter.poll().keySet()).containsAll(ids));
      counter.drainFor(drain);
      Map<String, FinalAnswer> out = new HashMap<>();
      for (String id : ids) {
        assertThat(answers.get(id)).as(id).isEqualTo(1);
        out.put(id, counter.answer(id));
      }
      assertThat(counter.statuses(ids)).containsOnly(AnswerStatus.SUCCEEDED);
      return out;
    }
  }

  private Process startOrchestrator(Path dir, Path state) throws Exception {
    Process orchestrator =
        TestPipeline.childProcess(
            "orchestrator",
            settings.bootstrap(),
            dir,
            "--moa.orchestrator.simulator-base-url=" + sim.baseUrl(),
            "--moa.orchestrator.state-dir=" + state);
    children.add(orchestrator);
    return orchestrator;
  }

  /**
   * Kills the orchestrator and starts a new one with the old local state lost too: the barrier
   * rebuilds from Kafka.
   */
  private void restartOrchestratorWithoutState(Process orchestrator, Path state) throws Exception {
    TestPipeline.kill(orchestrator);
    Dirs.deleteQuietly(state);
    startOrchestrator(work.resolve("second"), state);
  }

  @Test
  void redeliveredAgentResultDoesNotCompleteALayerTwice() throws Exception {
    for (String s : LocalStack.SERVICES.keySet()) {
      services.add(TestPipeline.inProcess(s, settings.bootstrap(), sim, work.resolve("all")));
    }
    var config = TestPipeline.config(TestPipeline.yaml(2, " {helper_response}"));
    MoaRequest request = TestPipeline.request(config, sim, "duplicates?");
    FinalAnswer answer = TestPipeline.ask(settings, request, Duration.ofSeconds(90));
    assertThat(answer.getStatus()).isEqualTo(AnswerStatus.SUCCEEDED);

    // Redeliver every layer-1 and layer-2 result of that request.
    List<AgentResult> results =
        readAll(Topics.AGENT_RESULTS, r -> r.getRequestId().equals(request.getRequestId()));
    // Results are at least once: an agent worker whose group rebalanced before it committed answers
    // a task again (seen once in CI), so the request's 6 tasks may have more than 6 results.
    assertThat(results.stream().map(r -> r.getTaskId().toString()).distinct()).hasSize(6);
    try (KafkaProducer<String, AgentResult> producer =
        new KafkaProducer<>(
            settings.producer("redeliver"),
            new StringSerializer(),
            Serdes.AGENT_RESULT.serializer())) {
      for (AgentResult r : results) {
        producer.send(new ProducerRecord<>(Topics.AGENT_RESULTS.name(), r.getRequestId(), r)).get();
      }
    }
    Map<String, Integer> answers = new ConcurrentHashMap<>();
    try (AnswerCounter counter = new AnswerCounter(settings, answers, true)) {
      counter.drainFor(Duration.ofSeconds(5));
      assertThat(answers.get(request.getRequestId())).isEqualTo(1);
    }
    List<AgentTask> tasks =
        readAll(Topics.AGENT_TASKS, t -> t.getRequestId().equals(request.getRequestId()));
    assertThat(tasks).extracting(AgentTask::getTaskId).doesNotHaveDuplicates().hasSize(6);
  }

  private <V> List<V> readAll(TopicSpec<String, V> spec, java.util.function.Predicate<V> keep) {
    Map<String, Object> props = new HashMap<>(settings.consumer(null, true));
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<V> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < spec.partitions(); p++) {
        parts.add(new TopicPartition(spec.name(), p));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          V v;
          try {
            v = spec.valueSerde().deserializer().deserialize(spec.name(), r.value());
          } catch (org.apache.kafka.common.errors.SerializationException e) {
            continue; // another IT's deliberate poison on the shared broker (MetricsIT, PromqlIT)
          }
          if (v != null && keep.test(v)) { // null: PoisonCorpusIT's tombstones
            out.add(v);
          }
        }
      }
    }
    return out;
  }

  /** Counts final answers per request id as a read_committed consumer sees them. */
  static final class AnswerCounter implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Integer> counts;
    private final Map<String, AnswerStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, FinalAnswer> last = new ConcurrentHashMap<>();

    AnswerCounter(KafkaSettings settings, Map<String, Integer> counts) {
      this(settings, counts, false);
    }

    AnswerCounter(KafkaSettings settings, Map<String, Integer> counts, boolean fromBeginning) {
      this.counts = counts;
      Map<String, Object> props = new HashMap<>(settings.consumer(null, true));
      props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      consumer = new KafkaConsumer<>(props);
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < Topics.ANSWERS.partitions(); p++) {
        parts.add(new TopicPartition(Topics.ANSWERS.name(), p));
      }
      consumer.assign(parts);
      if (fromBeginning) {
        consumer.seekToBeginning(parts);
      } else {
        consumer.seekToEnd(parts);
      }
      parts.forEach(consumer::position);
    }

    Map<String, Integer> poll() {
      for (var r : consumer.poll(Duration.ofMillis(200))) {
        FinalAnswer a;
        try {
          a = Serdes.FINAL_ANSWER.fromBytes(r.value());
        } catch (org.apache.kafka.common.errors.SerializationException e) {
          continue; // another IT's deliberate poison on the shared broker (PoisonCorpusIT)
        }
        if (a == null) {
          continue; // a tombstone (PoisonCorpusIT)
        }
        counts.merge(a.getRequestId(), 1, Integer::sum);
        statuses.put(a.getRequestId(), a.getStatus());
        last.put(a.getRequestId(), a);
      }
      return counts;
    }

    FinalAnswer answer(String id) {
      return last.get(id);
    }

    void drainFor(Duration d) {
      long end = System.nanoTime() + d.toNanos();
      while (System.nanoTime() < end) {
        poll();
      }
    }

    List<AnswerStatus> statuses(Set<String> ids) {
      return ids.stream().map(statuses::get).toList();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
