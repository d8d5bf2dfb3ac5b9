package dev.moa.agentworker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.serde.AvroTrust;
import dev.moa.provider.CallOutcome;
import dev.moa.provider.CallTimings;
import dev.moa.provider.ChatRequest;
import dev.moa.provider.Endpoint;
import dev.moa.provider.ErrorClass;
import dev.moa.provider.StreamListener;
import dev.moa.provider.Usage;
import dev.moa.runtime.model.ModelCallMetrics;
import dev.moa.runtime.model.ModelCaller;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentTaskExecutorTest {

  @BeforeAll
  static void trustGeneratedRecords() {
    AvroTrust.install();
  }

  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_234_567L), ZoneOffset.UTC);
  static final Map<String, String> ENV = Map.of("CEREBRAS_API_KEY", "sk-secret-value");

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final List<Endpoint> endpoints = new ArrayList<>();
  final List<ChatRequest> requests = new ArrayList<>();

  static AgentTask.Builder task() {
    return AgentTask.newBuilder()
        .setTaskId("req-1/0/0")
        .setRequestId("req-1")
        .setLayer(0)
        .setAgentIndex(0)
        .setAgentName("llama")
        .setModel("llama3.1-8b")
        .setProvider(
            ProviderRef.newBuilder()
                .setName("cerebras")
                .setBaseUrl("http://127.0.0.1:9/v1")
                .setApiKeyEnv("CEREBRAS_API_KEY")
                .build())
        .setTemperature(0.5)
        .setMaxTokens(100)
        .setMessages(List.of(new ChatMessage("user", "What is 2+2?")))
        .setAttempt(1)
        .setCreatedAtMs(1L);
  }

  AgentTaskExecutor executor(ModelCaller caller, Function<String, String> env) {
    return new AgentTaskExecutor(caller, new ModelCallMetrics(registry), CLOCK, env);
  }

  ModelCaller answering(CallOutcome outcome) {
    return (e, r, l) -> {
      endpoints.add(e);
      requests.add(r);
      return CompletableFuture.completedFuture(outcome);
    };
  }

  static final CallTimings TIMINGS = new CallTimings(25, 480, Map.of(), 1);

  @Test
  void successfulCallBecomesSucceededResultWithUsageTimingsAndClockTime() {
    AgentResult r =
        executor(
                answering(CallOutcome.succeeded("4", new Usage(9, 1), TIMINGS, "stop", "m")),
                ENV::get)
            .execute(task().build())
            .join();

    assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(r.getContent()).isEqualTo("4");
    assertThat(r.getUsage().getPromptTokens()).isEqualTo(9);
    assertThat(r.getUsage().getCompletionTokens()).isEqualTo(1);
    assertThat(r.getTimings().getDurationMs()).isEqualTo(480);
    assertThat(r.getCompletedAtMs()).isEqualTo(1_234_567L);
    assertThat(r.getTaskId()).isEqualTo("req-1/0/0");
    assertThat(r.getAttempt()).isEqualTo(1);
    assertThat(endpoints)
        .singleElement()
        .satisfies(e -> assertThat(e.apiKey()).isEqualTo("sk-secret-value"));
    assertThat(requests)
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.model()).isEqualTo("llama3.1-8b");
              assertThat(q.maxTokens()).isEqualTo(100);
              assertThat(q.messages()).hasSize(1);
            });
  }

  @Test
  void failedCallBecomesFailedResultWithTheProviderErrorClass() {
    AgentResult r =
        executor(
                answering(CallOutcome.failed(ErrorClass.HTTP_5XX, "HTTP 503", 503, TIMINGS)),
                ENV::get)
            .execute(task().build())
            .join();

    assertThat(r.getStatus()).isEqualTo(CallStatus.FAILED);
    assertThat(r.getError().getErrorClass()).isEqualTo("http_5xx");
    assertThat(r.getError().getHttpStatus()).isEqualTo(503);
  }

  @Test
  void impossibleTaskValuesFailAsInvalidTaskWithoutCallingTheModel() {
    AgentTaskExecutor executor =
        executor(answering(CallOutcome.succeeded("x", Usage.ZERO, TIMINGS, null, null)), ENV::get);

    assertInvalid(executor, task().setMessages(List.of()).build(), "messages");
    assertInvalid(executor, task().setMaxTokens(0).build(), "max_tokens must be >= 1 but was 0");
    assertInvalid(executor, task().setTemperature(3.0).build(), "temperature");
    assertInvalid(executor, task().setTemperature(-1).build(), "-1.0");
    assertInvalid(executor, task().setModel("").build(), "model");
    assertInvalid(
        executor,
        task()
            .setProvider(ProviderRef.newBuilder(task().getProvider()).setBaseUrl(" ").build())
            .build(),
        "base_url");
    assertThat(requests).isEmpty();
  }

  private void assertInvalid(AgentTaskExecutor executor, AgentTask t, String expected) {
    AgentResult r = executor.execute(t).join();
    assertThat(r.getStatus()).isEqualTo(CallStatus.FAILED);
    assertThat(r.getError().getErrorClass()).isEqualTo("invalid_task");
    assertThat(r.getError().getMessage()).contains(expected);
    assertThat(r.getTaskId()).isEqualTo("req-1/0/0");
    assertThat(r.getCompletedAtMs()).isEqualTo(1_234_567L);
  }

  @Test
  void unsetKeyVariableFailsAsMissingKeyNamingTheVariableNotAValue() {
    AgentResult r =
        executor(
                answering(CallOutcome.succeeded("x", Usage.ZERO, TIMINGS, null, null)),
                name -> null)
            .execute(task().build())
            .join();

    assertThat(r.getStatus()).isEqualTo(CallStatus.FAILED);
    assertThat(r.getError().getErrorClass()).isEqualTo("missing_key");
    assertThat(r.getError().getMessage()).contains("CEREBRAS_API_KEY");
    assertThat(requests).isEmpty();
    assertThat(
            registry
                .get("gen_ai.client.operation.duration")
                .tag("error.type", "missing_key")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void callerThatThrowsOrFailsItsFutureStillYieldsAFailedResult() {
    ModelCaller throwing =
        (e, r, l) -> {
          throw new IllegalStateException("bug");
        };
    ModelCaller failing =
        (e, r, l) -> CompletableFuture.failedFuture(new IllegalStateException("bug"));

    for (ModelCaller caller : List.of(throwing, failing)) {
      AgentResult r = executor(caller, ENV::get).execute(task().build()).join();
      assertThat(r.getStatus()).isEqualTo(CallStatus.FAILED);
      assertThat(r.getError().getErrorClass()).isEqualTo("internal");
      assertThat(r.getError().getMessage()).contains("bug");
    }
  }

  @Test
  void agentCallsAreNotStreamed() {
    List<StreamListener> listeners = new ArrayList<>();
    executor(
            (e, r, l) -> {
              listeners.add(l);
              return CompletableFuture.completedFuture(
                  CallOutcome.succeeded("x", Usage.ZERO, TIMINGS, null, null));
            },
            ENV::get)
        .execute(task().build())
        .join();

    assertThat(listeners).containsExactly(StreamListener.none());
  }

  @Test
  void callsAreMeasuredWhileInFlight() {
    CompletableFuture<CallOutcome> pending = new CompletableFuture<>();
    ModelCallMetrics metrics = new ModelCallMetrics(registry);
    AgentTaskExecutor executor =
        new AgentTaskExecutor((e, r, l) -> pending, metrics, CLOCK, ENV::get);

    CompletableFuture<AgentResult> result = executor.execute(task().build());

    assertThat(result).isNotDone();
    assertThat(metrics.inflight()).isEqualTo(1);
    pending.complete(CallOutcome.succeeded("x", new Usage(3, 4), TIMINGS, null, null));
    assertThat(result.join().getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(metrics.inflight()).isZero();
  }
}
