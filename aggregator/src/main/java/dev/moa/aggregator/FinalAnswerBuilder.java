package dev.moa.aggregator;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AggregationMode;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallError;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.CallTimings;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.AvroTrust;
import dev.moa.runtime.model.TaskCalls;
import java.util.List;

/** The FinalAnswer of a request from its AggregateTask and the aggregator call's result. */
public final class FinalAnswerBuilder {

  static {
    AvroTrust.install();
  }

  private FinalAnswerBuilder() {}

  /**
   * SUCCEEDED with the aggregator's content as answer, or FAILED with {@code error} = {@code
   * "aggregator <model>: <error_class>: <message>"}. Usage sums every layer output and the
   * aggregator; latency runs from submission to the aggregator's completion.
   */
  public static FinalAnswer build(AggregateTask task, AgentResult aggregator) {
    AgentOutput output = TaskCalls.toOutput(aggregator);
    String answer = aggregator.getContent();
    String failure = null;
    boolean called = aggregator.getStatus() == CallStatus.SUCCEEDED;
    List<String> candidates = task.getCandidates();
    if (called && task.getAggregation() == AggregationMode.VOTE) {
      Vote vote;
      try {
        vote = Vote.of(candidates, task.getVotePattern());
      } catch (java.util.regex.PatternSyntaxException e) {
        // RecordChecks refuses such tasks; this keeps a bad pattern from breaking a whole batch.
        vote = Vote.of(List.of(), null);
      }
      if (vote.answer() == null) {
        failure = "vote: none of " + candidates.size() + " candidates gave an answer";
      } else {
        answer = candidates.get(vote.winner());
      }
      output = AgentOutput.newBuilder(output).setVerdict(vote.summary()).build();
    } else if (called && task.getAggregation() == AggregationMode.BEST_OF_N) {
      int pick = BestPick.parse(aggregator.getContent(), candidates.size());
      if (candidates.isEmpty()) {
        failure = "best_of_n: no candidates to pick from";
      } else {
        // An unreadable pick falls back to the first candidate rather than failing the request.
        answer = candidates.get(Math.max(pick, 1) - 1);
      }
      output =
          AgentOutput.newBuilder(output)
              .setVerdict(pick > 0 ? "BEST " + pick : "NONE (first candidate)")
              .build();
    }
    List<List<AgentOutput>> layers = task.getLayers();
    long prompt = output.getPromptTokens();
    long completion = output.getCompletionTokens();
    boolean simulated = output.getSimulated();
    for (List<AgentOutput> layer : layers) {
      for (AgentOutput o : layer) {
        prompt += o.getPromptTokens();
        completion += o.getCompletionTokens();
        simulated |= o.getSimulated();
      }
    }
    boolean succeeded = called && failure == null;
    return FinalAnswer.newBuilder()
        .setRequestId(task.getRequestId())
        .setRunId(task.getRunId())
        .setSampleId(task.getSampleId())
        .setConfigName(task.getConfigName())
        .setStatus(succeeded ? AnswerStatus.SUCCEEDED : AnswerStatus.FAILED)
        .setAnswer(succeeded ? answer : "")
        .setError(succeeded ? null : failure != null ? failure : error(aggregator))
        .setLayers(layers)
        .setAggregator(output)
        .setUsage(new Usage(saturate(prompt), saturate(completion)))
        .setLatencyMs(Math.max(0, aggregator.getCompletedAtMs() - task.getSubmittedAtMs()))
        .setSimulated(simulated)
        .setGrading(task.getGrading())
        .setSubmittedAtMs(task.getSubmittedAtMs())
        .setCompletedAtMs(aggregator.getCompletedAtMs())
        .build();
  }

  /** The stand-in result of a vote: no model call, no tokens; the tally goes in its verdict. */
  public static AgentResult voteResult(AggregateTask task, long now) {
    AgentTask call = task.getCall();
    return AgentResult.newBuilder()
        .setTaskId(call.getTaskId())
        .setRequestId(task.getRequestId())
        .setLayer(call.getLayer())
        .setAgentIndex(0)
        .setAgentName("vote")
        .setModel("vote")
        .setProvider(call.getProvider() == null ? "" : call.getProvider().getName())
        .setStatus(CallStatus.SUCCEEDED)
        .setContent("")
        .setUsage(new Usage(0, 0))
        .setTimings(new CallTimings(0L, 0L, java.util.Map.of(), 0))
        .setCompletedAtMs(now)
        .build();
  }

  private static String error(AgentResult r) {
    CallError e = r.getError();
    String cause =
        e == null ? "failed without an error" : e.getErrorClass() + ": " + e.getMessage();
    return "aggregator " + r.getModel() + ": " + cause;
  }

  private static int saturate(long v) {
    return (int) Math.min(Integer.MAX_VALUE, v);
  }
}
