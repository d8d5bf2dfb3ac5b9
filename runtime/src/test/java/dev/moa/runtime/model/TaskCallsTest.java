package dev.moa.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.serde.AvroTrust;
import dev.moa.provider.CallOutcome;
import dev.moa.provider.CallTimings;
import dev.moa.provider.ChatRequest;
import dev.moa.provider.Endpoint;
import dev.moa.provider.ErrorClass;
import dev.moa.provider.Usage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TaskCallsTest {

  @BeforeAll
  static void trustGeneratedRecords() {
    AvroTrust.install();
  }

  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

  static AgentTask.Builder task() {
    return AgentTask.newBuilder()
        .setTaskId("r1/L0/A1")
        .setRequestId("r1")
        .setLayer(0)
        .setAgentIndex(1)
        .setAgentName("qwen")
        .setRole(TaskRole.AGENT)
        .setModel("qwen-3-32b")
        .setProvider(
            ProviderRef.newBuilder()
                .setName("cerebras")
                .setBaseUrl("http://127.0.0.1:1/v1")
                .setApiKeyEnv("CEREBRAS_API_KEY")
                .setSimulated(true)
                .build())
        .setTemperature(0.7)
        .setMaxTokens(256)
        .setMessages(
            List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "hello")))
        .setAttempt(2)
        .setSeed(7L)
        .setCreatedAtMs(1L);
  }

  static final CallTimings TIMINGS = new CallTimings(40, 900, Map.of("total_time", 0.5), 2);

  @Test
  void chatRequestCarriesModelMessagesTemperatureMaxTokensAndSeed() {
    ChatRequest r = TaskCalls.toChatRequest(task().build());

    assertThat(r.model()).isEqualTo("qwen-3-32b");
    assertThat(r.messages())
        .containsExactly(
            new dev.moa.provider.ChatMessage("system", "be brief"),
            new dev.moa.provider.ChatMessage("user", "hello"));
    assertThat(r.temperature()).isEqualTo(0.7);
    assertThat(r.maxTokens()).isEqualTo(256);
    assertThat(r.seed()).isEqualTo(7L);
  }

  @Test
  void endpointReadsTheKeyFromTheVariableTheProviderNames() {
    Endpoint e =
        TaskCalls.endpointFor(
            task().getProvider(), name -> name.equals("CEREBRAS_API_KEY") ? "sk-123" : null);

    assertThat(e.providerName()).isEqualTo("cerebras");
    assertThat(e.baseUrl()).isEqualTo("http://127.0.0.1:1/v1");
    assertThat(e.apiKey()).isEqualTo("sk-123");
  }

  @Test
  void providerWithoutKeyVariableGetsNoKeyAndNoLookup() {
    ProviderRef p = ProviderRef.newBuilder(task().getProvider()).setApiKeyEnv(null).build();

    Endpoint e =
        TaskCalls.endpointFor(
            p,
            name -> {
              throw new AssertionError("looked up " + name);
            });

    assertThat(e.apiKey()).isNull();
  }

  @Test
  void unsetOrBlankKeyVariableIsAMissingKeyErrorNamingTheVariable() {
    ProviderRef p = task().getProvider();
    for (String value : new String[] {null, "", "  "}) {
      assertThatThrownBy(() -> TaskCalls.endpointFor(p, name -> value))
          .isInstanceOfSatisfying(
              MissingApiKeyException.class,
              e -> {
                assertThat(e.errorClass()).isEqualTo("missing_key");
                assertThat(e.variable()).isEqualTo("CEREBRAS_API_KEY");
                assertThat(e.getMessage()).contains("CEREBRAS_API_KEY").contains("cerebras");
              });
    }
  }

  @Test
  void validTaskPassesValidation() {
    assertThatCode(() -> TaskCalls.validate(task().build())).doesNotThrowAnyException();
    // The bounds themselves are valid: temperature 0 and 2, max_tokens 1.
    assertThatCode(() -> TaskCalls.validate(task().setTemperature(0).build()))
        .doesNotThrowAnyException();
    assertThatCode(() -> TaskCalls.validate(task().setTemperature(2).setMaxTokens(1).build()))
        .doesNotThrowAnyException();
  }

  @Test
  void impossibleValuesAreInvalidTaskErrorsNamingFieldAndValue() {
    assertInvalid(task().setMessages(List.of()).build(), "messages", "[]");
    assertInvalid(task().setMaxTokens(0).build(), "max_tokens", "0");
    assertInvalid(task().setTemperature(2.5).build(), "temperature", "2.5");
    assertInvalid(task().setTemperature(-0.1).build(), "temperature", "-0.1");
    assertInvalid(task().setTemperature(Double.NaN).build(), "temperature", "NaN");
    assertInvalid(task().setModel(" ").build(), "model", "' '");
    assertInvalid(
        task()
            .setProvider(ProviderRef.newBuilder(task().getProvider()).setBaseUrl("").build())
            .build(),
        "base_url",
        "''");
  }

  private static void assertInvalid(AgentTask t, String field, String value) {
    assertThatThrownBy(() -> TaskCalls.validate(t))
        .isInstanceOfSatisfying(
            InvalidTaskException.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo("invalid_task");
              assertThat(e.getMessage()).contains(field).contains(value).contains("r1/L0/A1");
            });
  }

  @Test
  void succeededOutcomeBecomesASucceededResult() {
    AgentResult r =
        TaskCalls.toResult(
            task().build(),
            CallOutcome.succeeded("hi there", new Usage(12, 3), TIMINGS, "stop", "served-model"),
            CLOCK,
            2);

    assertThat(r.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(r.getContent()).isEqualTo("hi there");
    assertThat(r.getError()).isNull();
    assertThat(r.getUsage().getPromptTokens()).isEqualTo(12);
    assertThat(r.getUsage().getCompletionTokens()).isEqualTo(3);
    assertThat(r.getTimings().getTtftMs()).isEqualTo(40);
    assertThat(r.getTimings().getDurationMs()).isEqualTo(900);
    assertThat(r.getTimings().getAttempts()).isEqualTo(2);
    assertThat(r.getTimings().getProviderTimeInfo()).containsEntry("total_time", 0.5);
    assertThat(r.getFinishReason()).isEqualTo("stop");
    assertThat(r.getTaskId()).isEqualTo("r1/L0/A1");
    assertThat(r.getRequestId()).isEqualTo("r1");
    assertThat(r.getLayer()).isZero();
    assertThat(r.getAgentIndex()).isEqualTo(1);
    assertThat(r.getAgentName()).isEqualTo("qwen");
    assertThat(r.getModel()).isEqualTo("qwen-3-32b");
    assertThat(r.getProvider()).isEqualTo("cerebras");
    assertThat(r.getSimulated()).isTrue();
    assertThat(r.getAttempt()).isEqualTo(2);
    assertThat(r.getCompletedAtMs()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void failedOutcomeBecomesAFailedResultWithTheWireErrorClass() {
    AgentResult r =
        TaskCalls.toResult(
            task().build(),
            CallOutcome.failed(ErrorClass.HTTP_429, "slow down", 429, TIMINGS),
            CLOCK,
            0);

    assertThat(r.getStatus()).isEqualTo(CallStatus.FAILED);
    assertThat(r.getContent()).isEmpty();
    assertThat(r.getError().getErrorClass()).isEqualTo("http_429");
    assertThat(r.getError().getMessage()).isEqualTo("slow down");
    assertThat(r.getError().getHttpStatus()).isEqualTo(429);
    assertThat(r.getUsage().getPromptTokens()).isZero();
    assertThat(r.getTimings().getDurationMs()).isEqualTo(900);
  }

  @Test
  void outputReportsLatencyAsCallDurationAndErrorAsClassAndMessage() {
    AgentResult ok =
        TaskCalls.toResult(
            task().build(),
            CallOutcome.succeeded("hi", new Usage(12, 3), TIMINGS, "stop", null),
            CLOCK,
            0);
    AgentOutput o = TaskCalls.toOutput(ok);
    assertThat(o.getAgent()).isEqualTo("qwen");
    assertThat(o.getModel()).isEqualTo("qwen-3-32b");
    assertThat(o.getLayer()).isZero();
    assertThat(o.getAgentIndex()).isEqualTo(1);
    assertThat(o.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(o.getContent()).isEqualTo("hi");
    assertThat(o.getPromptTokens()).isEqualTo(12);
    assertThat(o.getCompletionTokens()).isEqualTo(3);
    assertThat(o.getLatencyMs()).isEqualTo(900);
    assertThat(o.getTtftMs()).isEqualTo(40);
    assertThat(o.getError()).isNull();
    assertThat(o.getSimulated()).isTrue();

    AgentResult failed =
        TaskCalls.toResult(
            task().build(),
            CallOutcome.failed(ErrorClass.TIMEOUT, "no response", null, TIMINGS),
            CLOCK,
            0);
    assertThat(TaskCalls.toOutput(failed).getError()).isEqualTo("timeout: no response");
  }

  @Test
  void aggregatorCallsAreTaggedAggregatorAndAgentCallsByNameAndLayer() {
    assertThat(TaskCalls.agentTag(task().build())).isEqualTo("qwen");
    assertThat(TaskCalls.layerTag(task().setLayer(3).build())).isEqualTo("3");
    AgentTask agg = task().setRole(TaskRole.AGGREGATOR).setLayer(2).build();
    assertThat(TaskCalls.agentTag(agg)).isEqualTo("aggregator");
    assertThat(TaskCalls.layerTag(agg)).isEqualTo("aggregator");
  }
}
