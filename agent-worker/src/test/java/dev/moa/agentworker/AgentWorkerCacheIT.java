package dev.moa.agentworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.cache.CacheKey;
import dev.moa.runtime.cache.ResponseCache;
import dev.moa.simulator.ReceivedCall;
import dev.moa.simulator.Simulator;
import dev.moa.testing.PipelineKit;
import dev.moa.testing.TopicTail;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The response cache in a running agent worker, on the real broker and the real simulator: the
 * simulator's call log shows which tasks reached a model.
 */
class AgentWorkerCacheIT {

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  static Simulator simulator;
  static final List<ReceivedCall> calls = new CopyOnWriteArrayList<>();
  static ConfigurableApplicationContext app;
  static KafkaProducer<String, AgentTask> producer;

  @BeforeAll
  static void start() {
    simulator = kit.instantSimulator();
    simulator.addListener(calls::add);
    app = kit.service(AgentWorkerApplication.class);
    producer = kit.producer(Topics.AGENT_TASKS, "agent-worker-cache-it");
  }

  /** A task asking a question nobody asked before; its id is unique per call of this method. */
  static AgentTask task(String question, double temperature, boolean useCache) {
    String requestId = "awc-" + UUID.randomUUID();
    return AgentTask.newBuilder()
        .setTaskId(requestId + "/0/0")
        .setRequestId(requestId)
        .setLayer(0)
        .setAgentIndex(0)
        .setAgentName("agent-0")
        .setRole(TaskRole.AGENT)
        .setModel("llama3.1-8b")
        .setProvider(
            ProviderRef.newBuilder()
                .setName("simulator")
                .setBaseUrl(simulator.baseUrl())
                .setSimulated(true)
                .build())
        .setTemperature(temperature)
        .setMaxTokens(64)
        .setMessages(List.of(new ChatMessage("user", question)))
        .setUseCache(useCache)
        .setCreatedAtMs(System.currentTimeMillis())
        .build();
  }

  static String question() {
    return "Name three primes. (" + UUID.randomUUID() + ")";
  }

  /** Calls the simulator received whose last message is {@code question}. */
  static long callsAsking(String question) {
    return calls.stream()
        .filter(c -> c.messages().get(c.messages().size() - 1).content().equals(question))
        .count();
  }

  /** Sends one task and waits for its result. */
  static AgentResult run(AgentTask task) {
    try (TopicTail<AgentResult> tail = kit.tail(Topics.AGENT_RESULTS, false)) {
      producer.send(new ProducerRecord<>(Topics.AGENT_TASKS.name(), task.getTaskId(), task));
      producer.flush();
      return tail
          .awaitRecords(
              Duration.ofSeconds(60),
              rs -> rs.stream().anyMatch(r -> r.value().getTaskId().equals(task.getTaskId())))
          .stream()
          .map(ConsumerRecord::value)
          .filter(r -> r.getTaskId().equals(task.getTaskId()))
          .findFirst()
          .orElseThrow();
    }
  }

  static double lookups(ConfigurableApplicationContext context, String result) {
    var counter =
        context
            .getBean(MeterRegistry.class)
            .find("moa.cache.lookups")
            .tag("result", result)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void theSameTemperatureZeroTaskTwiceCallsTheModelOnceAndTheSecondResultIsCached() {
    String question = question();
    double hitsBefore = lookups(app, "hit");

    AgentResult first = run(task(question, 0.0, true));
    AgentResult second = run(task(question, 0.0, true));

    assertThat(callsAsking(question)).isEqualTo(1);
    assertThat(first.getStatus()).as(first.toString()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(first.getCached()).isFalse();
    assertThat(second.getStatus()).as(second.toString()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(second.getCached()).isTrue();
    assertThat(second.getTaskId()).isNotEqualTo(first.getTaskId());
    assertThat(second.getContent()).isEqualTo(first.getContent()).isNotEmpty();
    assertThat(second.getUsage()).isEqualTo(first.getUsage());
    assertThat(second.getFinishReason()).isEqualTo(first.getFinishReason());
    assertThat(second.getTimings().getAttempts()).isZero();
    assertThat(lookups(app, "hit")).isEqualTo(hitsBefore + 1);
  }

  @Test
  void aNonZeroTemperatureTaskTwiceCallsTheModelTwice() {
    String question = question();

    AgentResult first = run(task(question, 0.7, true));
    AgentResult second = run(task(question, 0.7, true));

    assertThat(callsAsking(question)).isEqualTo(2);
    assertThat(List.of(first, second))
        .allSatisfy(
            r -> {
              assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
              assertThat(r.getCached()).isFalse();
            });
  }

  @Test
  void aTaskThatDoesNotAskForTheCacheTwiceCallsTheModelTwice() {
    String question = question();

    AgentResult first = run(task(question, 0.0, false));
    AgentResult second = run(task(question, 0.0, false));

    assertThat(callsAsking(question)).isEqualTo(2);
    assertThat(List.of(first, second)).noneMatch(AgentResult::getCached);
  }

  @Test
  void anEntryAnotherWorkerStoredIsServedByThisOne() throws Exception {
    String question = question();
    AgentTask task = task(question, 0.0, true);
    String key = CacheKey.of(task);
    CachedResponse elsewhere =
        new CachedResponse(
            key,
            "simulator",
            "llama3.1-8b",
            "stored by another worker",
            new Usage(11, 4),
            "stop",
            1L);
    try (KafkaProducer<String, CachedResponse> cacheProducer =
        kit.producer(Topics.RESPONSE_CACHE, "agent-worker-cache-it-entries")) {
      cacheProducer.send(new ProducerRecord<>(Topics.RESPONSE_CACHE.name(), key, elsewhere)).get();
    }
    ResponseCache cache = app.getBean(ResponseCache.class);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cache.lookup(key).get(10, TimeUnit.SECONDS).isPresent());

    AgentResult r = run(task);

    assertThat(callsAsking(question)).isZero();
    assertThat(r.getCached()).isTrue();
    assertThat(r.getContent()).isEqualTo("stored by another worker");
    assertThat(r.getUsage().getPromptTokens()).isEqualTo(11);
  }

  @Test
  void aRestartedWorkerWithAnEmptyMemoryServesAHitFromTheTopic() throws Exception {
    String question = question();
    AgentResult first = run(task(question, 0.0, true));
    String key = CacheKey.of(task(question, 0.0, true));
    // A new worker context: a new cache whose memory starts empty and loads from the topic
    // (closing the old worker flushed the entry it stored).
    app.close();
    app = kit.service(AgentWorkerApplication.class);
    Optional<CachedResponse> loaded =
        app.getBean(ResponseCache.class).lookup(key).get(30, TimeUnit.SECONDS);
    assertThat(loaded).map(CachedResponse::getContent).contains(first.getContent());

    AgentResult second = run(task(question, 0.0, true));

    assertThat(callsAsking(question)).isEqualTo(1);
    assertThat(first.getCached()).isFalse();
    assertThat(second.getCached()).isTrue();
    assertThat(second.getContent()).isEqualTo(first.getContent());
    assertThat(lookups(app, "hit")).isEqualTo(1);
  }

  @Test
  void aWorkerWithTheCacheDisabledCallsEveryTime() {
    String question = question();
    app.close();
    app = kit.service(AgentWorkerApplication.class, "--moa.cache.enabled=false");
    try {
      assertThat(app.getBean(ResponseCache.class)).isSameAs(ResponseCache.disabled());

      AgentResult first = run(task(question, 0.0, true));
      AgentResult second = run(task(question, 0.0, true));

      assertThat(callsAsking(question)).isEqualTo(2);
      assertThat(List.of(first, second)).noneMatch(AgentResult::getCached);
    } finally {
      app.close();
      app = kit.service(AgentWorkerApplication.class);
    }
  }
}
