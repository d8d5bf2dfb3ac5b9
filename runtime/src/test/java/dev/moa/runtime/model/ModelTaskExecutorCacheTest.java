package dev.moa.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.serde.AvroTrust;
import dev.moa.provider.CallOutcome;
import dev.moa.provider.CallTimings;
import dev.moa.provider.ErrorClass;
import dev.moa.provider.StreamListener;
import dev.moa.provider.Usage;
import dev.moa.runtime.cache.CacheKey;
import dev.moa.runtime.cache.ResponseCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The response-cache paths of {@link ModelTaskExecutor}, with a counting fake model. */
class ModelTaskExecutorCacheTest {

  @BeforeAll
  static void trustGeneratedRecords() {
    AvroTrust.install();
  }

  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
  static final CallTimings TIMINGS = new CallTimings(30, 800, Map.of(), 2);

  /** An in-memory cache that counts lookups and stores and can be made to break. */
  static final class FakeCache implements ResponseCache {
    final Map<String, CachedResponse> entries = new HashMap<>();
    final List<CachedResponse> stored = new ArrayList<>();
    final AtomicInteger lookups = new AtomicInteger();
    Supplier<CompletableFuture<Optional<CachedResponse>>> lookupOverride;
    RuntimeException storeFailure;

    @Override
    public CompletableFuture<Optional<CachedResponse>> lookup(String key) {
      lookups.incrementAndGet();
      if (lookupOverride != null) {
        return lookupOverride.get();
      }
      return CompletableFuture.completedFuture(Optional.ofNullable(entries.get(key)));
    }

    @Override
    public CompletableFuture<Void> store(CachedResponse response) {
      if (storeFailure != null) {
        throw storeFailure;
      }
      stored.add(response);
      entries.put(response.getKey(), response);
      return CompletableFuture.completedFuture(null);
    }
  }

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final FakeCache cache = new FakeCache();
  final AtomicInteger calls = new AtomicInteger();
  CallOutcome answer =
      CallOutcome.succeeded("The answer is 4.", new Usage(12, 5), TIMINGS, "stop", "m");

  final ModelTaskExecutor executor =
      new ModelTaskExecutor(
          (endpoint, request, listener) -> {
            calls.incrementAndGet();
            listener.onAttemptStart(1);
            if (answer instanceof CallOutcome.Succeeded s) {
              listener.onDelta(s.content());
            }
            return CompletableFuture.completedFuture(answer);
          },
          new ModelCallMetrics(registry),
          CLOCK,
          name -> null,
          cache);

  static AgentTask.Builder task(String taskId) {
    return AgentTask.newBuilder()
        .setTaskId(taskId)
        .setRequestId("req-" + taskId)
        .setLayer(0)
        .setAgentIndex(0)
        .setAgentName("llama")
        .setRole(TaskRole.AGENT)
        .setModel("llama3.1-8b")
        .setProvider(
            ProviderRef.newBuilder()
                .setName("cerebras")
                .setBaseUrl("http://127.0.0.1:9/v1")
                .setSimulated(true)
                .build())
        .setTemperature(0.0)
        .setMaxTokens(100)
        .setMessages(List.of(new ChatMessage("user", "What is 2+2?")))
        .setUseCache(true)
        .setAttempt(1)
        .setCreatedAtMs(1L);
  }

  /** Records what a stream listener is told. */
  static final class Recorder implements StreamListener {
    final List<String> events = new ArrayList<>();

    @Override
    public void onAttemptStart(int attempt) {
      events.add("attempt " + attempt);
    }

    @Override
    public void onDelta(String delta) {
      events.add("delta " + delta);
    }
  }

  double lookups(String result) {
    Counter c = registry.find("moa.cache.lookups").tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  AgentResult run(AgentTask task) {
    return executor.execute(task, StreamListener.none()).join();
  }

  @Test
  void missCallsAndStoresThenAnIdenticalTaskIsServedFromTheCacheWithoutACall() {
    AgentTask first = task("t1").build();
    AgentResult miss = run(first);

    assertThat(calls).hasValue(1);
    assertThat(miss.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(miss.getCached()).isFalse();
    assertThat(cache.stored)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo(CacheKey.of(first));
              assertThat(e.getProvider()).isEqualTo("cerebras");
              assertThat(e.getModel()).isEqualTo("llama3.1-8b");
              assertThat(e.getContent()).isEqualTo("The answer is 4.");
              assertThat(e.getUsage().getPromptTokens()).isEqualTo(12);
              assertThat(e.getUsage().getCompletionTokens()).isEqualTo(5);
              assertThat(e.getFinishReason()).isEqualTo("stop");
              assertThat(e.getCreatedAtMs()).isEqualTo(CLOCK.millis());
            });

    Recorder stream = new Recorder();
    AgentResult hit = executor.execute(task("t2").setAttempt(3).build(), stream).join();

    assertThat(calls).hasValue(1);
    assertThat(hit.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(hit.getCached()).isTrue();
    assertThat(hit.getTaskId()).isEqualTo("t2");
    assertThat(hit.getRequestId()).isEqualTo("req-t2");
    assertThat(hit.getAttempt()).isEqualTo(3);
    assertThat(hit.getContent()).isEqualTo(miss.getContent());
    assertThat(hit.getUsage()).isEqualTo(miss.getUsage());
    assertThat(hit.getFinishReason()).isEqualTo("stop");
    assertThat(hit.getSimulated()).isTrue();
    assertThat(hit.getTimings().getDurationMs()).isZero();
    assertThat(hit.getTimings().getAttempts()).isZero();
    assertThat(hit.getCompletedAtMs()).isEqualTo(CLOCK.millis());
    assertThat(stream.events).containsExactly("attempt 1", "delta The answer is 4.");
    assertThat(cache.stored).hasSize(1); // a hit is not stored again
    assertThat(lookups("miss")).isEqualTo(1);
    assertThat(lookups("hit")).isEqualTo(1);
    // Only the real call is measured as a call.
    assertThat(registry.get("gen_ai.client.operation.duration").timer().count()).isEqualTo(1);
  }

  @Test
  void nonZeroTemperatureNeverLooksUpNorStores() {
    run(task("t1").setTemperature(0.7).build());
    run(task("t2").setTemperature(0.7).build());
    run(task("t3").setTemperature(1e-9).build());

    assertThat(calls).hasValue(3);
    assertThat(cache.lookups).hasValue(0);
    assertThat(cache.stored).isEmpty();
    assertThat(registry.find("moa.cache.lookups").counters()).isEmpty();
  }

  @Test
  void tasksThatDoNotAskForTheCacheNeverLookUpNorStore() {
    AgentResult a = run(task("t1").setUseCache(false).build());
    AgentResult b = run(task("t2").setUseCache(false).build());

    assertThat(calls).hasValue(2);
    assertThat(List.of(a, b)).noneMatch(AgentResult::getCached);
    assertThat(cache.lookups).hasValue(0);
    assertThat(cache.stored).isEmpty();
  }

  @Test
  void aStoredEntryIsNotServedToATaskThatDoesNotAskForTheCache() {
    run(task("t1").build());

    AgentResult r = run(task("t2").setUseCache(false).build());

    assertThat(calls).hasValue(2);
    assertThat(r.getCached()).isFalse();
  }

  @Test
  void failedResultsAreNeverStored() {
    answer = CallOutcome.failed(ErrorClass.HTTP_5XX, "HTTP 503", 503, TIMINGS);

    AgentResult first = run(task("t1").build());
    AgentResult second = run(task("t2").build());

    assertThat(List.of(first, second))
        .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(CallStatus.FAILED));
    assertThat(calls).hasValue(2);
    assertThat(cache.stored).isEmpty();
    assertThat(lookups("miss")).isEqualTo(2);
  }

  @Test
  void truncatedAnswersAreStoredEmptyOnesAreNot() {
    answer = CallOutcome.succeeded("cut sho", new Usage(3, 2), TIMINGS, "length", "m");
    run(task("t1").build());
    assertThat(cache.stored)
        .singleElement()
        .satisfies(e -> assertThat(e.getFinishReason()).isEqualTo("length"));

    answer = CallOutcome.succeeded("", new Usage(3, 0), TIMINGS, "stop", "m");
    run(task("t2").setMaxTokens(5).build());
    assertThat(cache.stored).hasSize(1);
  }

  @Test
  void aBrokenLookupIsAMissAndTheCallStillSucceeds() {
    cache.lookupOverride = () -> CompletableFuture.failedFuture(new IllegalStateException("down"));
    assertThat(run(task("t1").build()).getStatus()).isEqualTo(CallStatus.SUCCEEDED);

    cache.lookupOverride =
        () -> {
          throw new IllegalStateException("bug");
        };
    assertThat(run(task("t2").build()).getStatus()).isEqualTo(CallStatus.SUCCEEDED);

    assertThat(calls).hasValue(2);
    assertThat(lookups("miss")).isEqualTo(2);
  }

  @Test
  void aStoreThatThrowsDoesNotFailTheTask() {
    cache.storeFailure = new IllegalStateException("broker down");

    AgentResult r = run(task("t1").build());

    assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(r.getContent()).isEqualTo("The answer is 4.");
  }

  @Test
  void theTaskWaitsForALookupStillInProgress() {
    CompletableFuture<Optional<CachedResponse>> pending = new CompletableFuture<>();
    cache.lookupOverride = () -> pending;

    CompletableFuture<AgentResult> result =
        executor.execute(task("t1").build(), StreamListener.none());

    assertThat(result).isNotDone();
    assertThat(calls).hasValue(0);
    pending.complete(Optional.empty());
    assertThat(result.join().getCached()).isFalse();
    assertThat(calls).hasValue(1);
  }

  @Test
  void anEntryForAnotherModelUnderTheSameKeyIsNotServed() {
    AgentTask t = task("t1").build();
    cache.entries.put(
        CacheKey.of(t),
        new CachedResponse(
            CacheKey.of(t),
            "cerebras",
            "some-other-model",
            "wrong",
            new dev.moa.protocol.avro.Usage(1, 1),
            "stop",
            1L));

    AgentResult r = run(t);

    assertThat(calls).hasValue(1);
    assertThat(r.getCached()).isFalse();
    assertThat(r.getContent()).isEqualTo("The answer is 4.");
  }

  @Test
  void rejectedTasksNeverReachTheCache() {
    AgentResult invalid = run(task("t1").setMaxTokens(0).build());
    AgentResult missingKey =
        run(
            task("t2")
                .setProvider(
                    ProviderRef.newBuilder(task("x").getProvider())
                        .setApiKeyEnv("MOA_UNSET_VARIABLE")
                        .build())
                .build());

    assertThat(invalid.getError().getErrorClass()).isEqualTo("invalid_task");
    assertThat(missingKey.getError().getErrorClass()).isEqualTo("missing_key");
    assertThat(cache.lookups).hasValue(0);
    assertThat(calls).hasValue(0);
  }
}
