package dev.moa.protocol.serde;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentSpec;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.CallError;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.CallTimings;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.LayerSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.RequestPhase;
import dev.moa.protocol.avro.RequestState;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.avro.Usage;
import java.util.List;
import java.util.Map;

/** One fully populated value of every record type (optional fields set, unicode in strings). */
final class Fixtures {

  static {
    // Avro 1.12 only instantiates trusted classes (also for builder defaults such as role).
    AvroTrust.install();
  }

  private Fixtures() {}

  static ProviderRef provider() {
    return ProviderRef.newBuilder()
        .setName("cerebras")
        .setBaseUrl("https://api.cerebras.ai/v1")
        .setApiKeyEnv("CEREBRAS_API_KEY")
        .setSimulated(false)
        .build();
  }

  static AgentSpec agentSpec(String name) {
    return AgentSpec.newBuilder()
        .setName(name)
        .setModel("llama3.1-8b")
        .setProvider(provider())
        .setTemperature(0.3)
        .setMaxTokens(2048)
        .setPrompt("Think step by step. {helper_response}")
        .build();
  }

  static MoaConfigSnapshot snapshot() {
    return MoaConfigSnapshot.newBuilder()
        .setName("workshop")
        .setLayers(
            List.of(
                LayerSpec.newBuilder().setAgents(List.of(agentSpec("a"), agentSpec("b"))).build(),
                LayerSpec.newBuilder().setAgents(List.of(agentSpec("c"))).build()))
        .setAggregator(agentSpec("aggregator"))
        .setReferencePrompt("Responses from models:")
        .setMinSuccesses(1)
        .setLayerTimeoutMs(300_000)
        .setConfigHash("ab12")
        .build();
  }

  static GradingSpec grading() {
    return GradingSpec.newBuilder()
        .setType("exact_match")
        .setOptionsJson("{\"ignore_case\":true}")
        .setTargetJson("\"Paris\"")
        .build();
  }

  static MoaRequest request() {
    return MoaRequest.newBuilder()
        .setRequestId("req-1")
        .setRunId("run-7")
        .setSampleId("s-3")
        .setConfig(snapshot())
        .setMessages(
            List.of(
                new ChatMessage("user", "Hi ünïcödé 😀"),
                new ChatMessage("assistant", "Hello"),
                new ChatMessage("user", "Capital of France?")))
        .setGrading(grading())
        .setSubmittedAtMs(1_700_000_000_000L)
        .setSeed(42L)
        .setMetadata(Map.of("origin", "cli", "user", "ana"))
        .build();
  }

  static AgentTask agentTask() {
    return AgentTask.newBuilder()
        .setTaskId("req-1/L1/A0/0")
        .setRequestId("req-1")
        .setLayer(1)
        .setAgentIndex(0)
        .setAgentName("a")
        .setRole(TaskRole.AGENT)
        .setModel("llama3.1-8b")
        .setProvider(provider())
        .setTemperature(0.7)
        .setMaxTokens(512)
        .setMessages(List.of(new ChatMessage("system", "S"), new ChatMessage("user", "Q")))
        .setAttempt(2)
        .setSeed(9L)
        .setCreatedAtMs(1_700_000_000_001L)
        .build();
  }

  static AgentResult agentResult() {
    return AgentResult.newBuilder()
        .setTaskId("req-1/L1/A0/0")
        .setRequestId("req-1")
        .setLayer(1)
        .setAgentIndex(0)
        .setAgentName("a")
        .setModel("llama3.1-8b")
        .setProvider("cerebras")
        .setStatus(CallStatus.FAILED)
        .setContent("partial")
        .setError(
            CallError.newBuilder()
                .setErrorClass("http_429")
                .setMessage("rate limited")
                .setHttpStatus(429)
                .build())
        .setUsage(new Usage(12, 34))
        .setTimings(
            CallTimings.newBuilder()
                .setTtftMs(80)
                .setDurationMs(900)
                .setProviderTimeInfo(Map.of("queue_time", 0.01, "total_time", 0.5))
                .setAttempts(3)
                .build())
        .setFinishReason("length")
        .setSimulated(true)
        .setAttempt(1)
        .setCompletedAtMs(1_700_000_000_900L)
        .build();
  }

  static AgentOutput output(String agent, int index) {
    return AgentOutput.newBuilder()
        .setAgent(agent)
        .setModel("qwen-3-32b")
        .setLayer(0)
        .setAgentIndex(index)
        .setStatus(CallStatus.SUCCEEDED)
        .setContent("answer of " + agent)
        .setPromptTokens(10)
        .setCompletionTokens(20)
        .setLatencyMs(300)
        .setTtftMs(40)
        .setError(null)
        .setSimulated(false)
        .build();
  }

  static AggregateTask aggregateTask() {
    AgentTask call = AgentTask.newBuilder(agentTask()).setRole(TaskRole.AGGREGATOR).build();
    return AggregateTask.newBuilder()
        .setRequestId("req-1")
        .setRunId("run-7")
        .setSampleId("s-3")
        .setConfigName("workshop")
        .setCall(call)
        .setLayers(List.of(List.of(output("a", 0), output("b", 1)), List.of(output("c", 0))))
        .setGrading(grading())
        .setSubmittedAtMs(1_700_000_000_000L)
        .build();
  }

  static FinalAnswer finalAnswer() {
    return FinalAnswer.newBuilder()
        .setRequestId("req-1")
        .setRunId("run-7")
        .setSampleId("s-3")
        .setConfigName("workshop")
        .setStatus(AnswerStatus.SUCCEEDED)
        .setAnswer("Paris.")
        .setError(null)
        .setLayers(List.of(List.of(output("a", 0))))
        .setAggregator(output("aggregator", 0))
        .setUsage(new Usage(100, 200))
        .setLatencyMs(1234)
        .setSimulated(true)
        .setGrading(grading())
        .setSubmittedAtMs(1_700_000_000_000L)
        .setCompletedAtMs(1_700_000_001_234L)
        .build();
  }

  static AnswerChunk answerChunk() {
    return AnswerChunk.newBuilder()
        .setRequestId("req-1")
        .setSeq(5)
        .setDelta("Par")
        .setDone(false)
        .build();
  }

  static Grade grade() {
    return Grade.newBuilder()
        .setRequestId("req-1")
        .setRunId("run-7")
        .setSampleId("s-3")
        .setGrader("exact_match")
        .setStatus(GradeStatus.GRADED)
        .setScore(1.0)
        .setMaxScore(1.0)
        .setDetailsJson("{\"matched\":true}")
        .setReason("equal after normalisation")
        .setGradedAtMs(1_700_000_002_000L)
        .build();
  }

  static RequestState requestState() {
    return RequestState.newBuilder()
        .setRequestId("req-1")
        .setRequest(request())
        .setPhase(RequestPhase.LAYERS)
        .setLayer(1)
        .setExpectedTaskIds(List.of("req-1/L1/A0/0", "req-1/L1/A1/0"))
        .setResults(Map.of("req-1/L1/A0/0", agentResult()))
        .setCompletedLayers(List.of(List.of(output("a", 0), output("b", 1))))
        .setLayerStartedAtMs(1_700_000_000_500L)
        .setDeadlineMs(1_700_000_300_500L)
        .setUpdatedAtMs(1_700_000_000_900L)
        .build();
  }

  static RunState runState() {
    return RunState.newBuilder()
        .setRunId("run-1")
        .setStatus(RunStatus.CANCELLED)
        .setDataset("/data/demo.jsonl")
        .setConfigName("workshop")
        .setTotal(38)
        .setReason("by the user")
        .setCreatedAtMs(1_700_000_000_000L)
        .setUpdatedAtMs(1_700_000_001_000L)
        .build();
  }

  static CachedResponse cachedResponse() {
    return CachedResponse.newBuilder()
        .setKey("ab".repeat(32))
        .setProvider("cerebras")
        .setModel("llama-3.3-70b")
        .setContent("Paris.")
        .setUsage(new Usage(12, 3))
        .setFinishReason("stop")
        .setCreatedAtMs(1_700_000_000_000L)
        .build();
  }
}
