package dev.moa.aggregator;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallError;
import dev.moa.protocol.avro.CallStatus;
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
    boolean succeeded = aggregator.getStatus() == CallStatus.SUCCEEDED;
    return FinalAnswer.newBuilder()
        .setRequestId(task.getRequestId())
        .setRunId(task.getRunId())
        .setSampleId(task.getSampleId())
        .setConfigName(task.getConfigName())
        .setStatus(succeeded ? AnswerStatus.SUCCEEDED : AnswerStatus.FAILED)
        .setAnswer(succeeded ? aggregator.getContent() : "")
        .setError(succeeded ? null : error(aggregator))
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
