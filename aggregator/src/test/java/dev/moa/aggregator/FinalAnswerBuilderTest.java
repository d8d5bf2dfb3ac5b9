package dev.moa.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AggregationMode;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallError;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.CallTimings;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.AvroTrust;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FinalAnswerBuilderTest {

  @BeforeAll
  static void trustGeneratedRecords() {
    AvroTrust.install();
  }

  static AgentOutput output(String agent, int layer, int prompt, int completion, boolean sim) {
    return AgentOutput.newBuilder()
        .setAgent(agent)
        .setModel("m-" + agent)
        .setLayer(layer)
        .setAgentIndex(0)
        .setStatus(CallStatus.SUCCEEDED)
        .setContent("draft by " + agent)
        .setPromptTokens(prompt)
        .setCompletionTokens(completion)
        .setSimulated(sim)
        .build();
  }

  static AggregateTask task(boolean layersSimulated) {
    AgentTask call =
        AgentTask.newBuilder()
            .setTaskId("req-9/aggregate")
            .setRequestId("req-9")
            .setLayer(2)
            .setAgentIndex(0)
            .setAgentName("synth")
            .setRole(TaskRole.AGGREGATOR)
            .setModel("llama-3.3-70b")
            .setProvider(
                ProviderRef.newBuilder().setName("cerebras").setBaseUrl("http://x/v1").build())
            .setTemperature(0.3)
            .setMaxTokens(512)
            .setMessages(List.of(new ChatMessage("user", "synthesise")))
            .setCreatedAtMs(1_000L)
            .build();
    return AggregateTask.newBuilder()
        .setRequestId("req-9")
        .setRunId("run-1")
        .setSampleId("sample-7")
        .setConfigName("three-layer")
        .setCall(call)
        .setLayers(
            List.of(
                List.of(output("a", 0, 10, 20, layersSimulated), output("b", 0, 11, 21, false)),
                List.of(output("c", 1, 100, 200, false))))
        .setGrading(new GradingSpec("exact_match", "{}", "\"42\""))
        .setSubmittedAtMs(1_000L)
        .build();
  }

  static AgentResult.Builder result() {
    return AgentResult.newBuilder()
        .setTaskId("req-9/aggregate")
        .setRequestId("req-9")
        .setLayer(2)
        .setAgentIndex(0)
        .setAgentName("synth")
        .setModel("llama-3.3-70b")
        .setProvider("cerebras")
        .setStatus(CallStatus.SUCCEEDED)
        .setContent("The answer is 42.")
        .setUsage(new Usage(1000, 50))
        .setTimings(new CallTimings(120L, 2_500L, Map.of(), 1))
        .setSimulated(false)
        .setCompletedAtMs(9_000L);
  }

  @Test
  void succeededCallGivesSucceededAnswerWithItsContent() {
    FinalAnswer a = FinalAnswerBuilder.build(task(false), result().build());

    assertThat(a.getStatus()).isEqualTo(AnswerStatus.SUCCEEDED);
    assertThat(a.getAnswer()).isEqualTo("The answer is 42.");
    assertThat(a.getError()).isNull();
  }

  @Test
  void requestFieldsAndLayersAreCopiedFromTheTask() {
    AggregateTask task = task(false);
    FinalAnswer a = FinalAnswerBuilder.build(task, result().build());

    assertThat(a.getRequestId()).isEqualTo("req-9");
    assertThat(a.getRunId()).isEqualTo("run-1");
    assertThat(a.getSampleId()).isEqualTo("sample-7");
    assertThat(a.getConfigName()).isEqualTo("three-layer");
    assertThat(a.getGrading()).isEqualTo(task.getGrading());
    assertThat(a.getSubmittedAtMs()).isEqualTo(1_000L);
    assertThat(a.getLayers()).isEqualTo(task.getLayers());
  }

  @Test
  void aggregatorOutputReportsTheCall() {
    FinalAnswer a = FinalAnswerBuilder.build(task(false), result().build());

    assertThat(a.getAggregator().getAgent()).isEqualTo("synth");
    assertThat(a.getAggregator().getModel()).isEqualTo("llama-3.3-70b");
    assertThat(a.getAggregator().getLatencyMs()).isEqualTo(2_500L);
    assertThat(a.getAggregator().getPromptTokens()).isEqualTo(1000);
  }

  @Test
  void usageSumsEveryLayerOutputAndTheAggregator() {
    FinalAnswer a = FinalAnswerBuilder.build(task(false), result().build());

    assertThat(a.getUsage().getPromptTokens()).isEqualTo(10 + 11 + 100 + 1000);
    assertThat(a.getUsage().getCompletionTokens()).isEqualTo(20 + 21 + 200 + 50);
  }

  @Test
  void latencyRunsFromSubmissionToTheAggregatorsCompletion() {
    FinalAnswer a = FinalAnswerBuilder.build(task(false), result().build());

    assertThat(a.getLatencyMs()).isEqualTo(8_000L);
    assertThat(a.getCompletedAtMs()).isEqualTo(9_000L);
  }

  @Test
  void answerIsSimulatedWhenAnyCallWas() {
    assertThat(FinalAnswerBuilder.build(task(false), result().build()).getSimulated()).isFalse();
    assertThat(FinalAnswerBuilder.build(task(true), result().build()).getSimulated()).isTrue();
    assertThat(
            FinalAnswerBuilder.build(task(false), result().setSimulated(true).build())
                .getSimulated())
        .isTrue();
  }

  @Test
  void failedCallGivesFailedAnswerNamingModelErrorClassAndMessage() {
    AgentResult failed =
        result()
            .setStatus(CallStatus.FAILED)
            .setContent("")
            .setUsage(new Usage(0, 0))
            .setError(new CallError("connection", "connection refused", null))
            .build();

    FinalAnswer a = FinalAnswerBuilder.build(task(false), failed);

    assertThat(a.getStatus()).isEqualTo(AnswerStatus.FAILED);
    assertThat(a.getAnswer()).isEmpty();
    assertThat(a.getError()).isEqualTo("aggregator llama-3.3-70b: connection: connection refused");
    assertThat(a.getAggregator().getStatus()).isEqualTo(CallStatus.FAILED);
    assertThat(a.getUsage().getPromptTokens()).isEqualTo(10 + 11 + 100);
  }

  @Test
  void aVoteAnswersWithTheFirstCandidateOfTheMajorityAndCallsNoModel() {
    AggregateTask task =
        AggregateTask.newBuilder(task(false))
            .setAggregation(AggregationMode.VOTE)
            .setCandidates(
                List.of("I think 41.\nAnswer: 41", "So \\boxed{42}", "answer is 42.", "Answer: 41"))
            .build();
    AgentResult vote = FinalAnswerBuilder.voteResult(task, 9_000L);

    FinalAnswer a = FinalAnswerBuilder.build(task, vote);

    assertThat(a.getStatus()).isEqualTo(AnswerStatus.SUCCEEDED);
    assertThat(a.getAnswer())
        .as("a tie goes to the answer given first")
        .isEqualTo("I think 41.\nAnswer: 41");
    assertThat(a.getAggregator().getModel()).isEqualTo("vote");
    assertThat(a.getAggregator().getPromptTokens()).isZero();
    assertThat(a.getAggregator().getVerdict()).isEqualTo("vote: 2 of 4 for \"41\" (41: 2, 42: 2)");
  }

  @Test
  void aVotePatternDecidesWhatCountsAndNoAnswerFailsTheRequest() {
    AggregateTask task =
        AggregateTask.newBuilder(task(false))
            .setAggregation(AggregationMode.VOTE)
            .setVotePattern("#### (\\w+)")
            .setCandidates(List.of("#### Paris", "#### paris.", "#### Lyon"))
            .build();
    assertThat(FinalAnswerBuilder.build(task, FinalAnswerBuilder.voteResult(task, 1L)).getAnswer())
        .isEqualTo("#### Paris");

    AggregateTask none =
        AggregateTask.newBuilder(task).setCandidates(List.of("no", "marks")).build();
    FinalAnswer failed = FinalAnswerBuilder.build(none, FinalAnswerBuilder.voteResult(none, 1L));
    assertThat(failed.getStatus()).isEqualTo(AnswerStatus.FAILED);
    assertThat(failed.getError()).isEqualTo("vote: none of 2 candidates gave an answer");
  }

  @Test
  void bestOfNAnswersWithTheCandidateTheJudgePicked() {
    AggregateTask task =
        AggregateTask.newBuilder(task(false))
            .setAggregation(AggregationMode.BEST_OF_N)
            .setCandidates(List.of("first", "second", "third"))
            .build();

    FinalAnswer a =
        FinalAnswerBuilder.build(task, result().setContent("Two is clearest.\nBest: 2").build());

    assertThat(a.getAnswer()).isEqualTo("second");
    assertThat(a.getAggregator().getVerdict()).isEqualTo("BEST 2");
    assertThat(a.getAggregator().getContent()).contains("Two is clearest.");
    FinalAnswer unreadable = FinalAnswerBuilder.build(task, result().setContent("Best: 7").build());
    assertThat(unreadable.getAnswer()).isEqualTo("first");
    assertThat(unreadable.getAggregator().getVerdict()).isEqualTo("NONE (first candidate)");
  }
}
