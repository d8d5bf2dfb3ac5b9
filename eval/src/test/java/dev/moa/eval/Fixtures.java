package dev.moa.eval;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.prompt.Message;
import dev.moa.protocol.serde.AvroTrust;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builders for the Avro records results are made of. */
final class Fixtures {
  static {
    AvroTrust.install();
  }

  private Fixtures() {}

  static Sample sample(String id, int line) {
    return new Sample(
        id,
        line,
        List.of(new Message("user", "question " + id)),
        "\"42\"",
        new GraderRef("exact", "{}"),
        "{}");
  }

  static AgentOutput output(
      String agent, String model, int layer, int index, boolean ok, long latencyMs) {
    return AgentOutput.newBuilder()
        .setAgent(agent)
        .setModel(model)
        .setLayer(layer)
        .setAgentIndex(index)
        .setStatus(ok ? CallStatus.SUCCEEDED : CallStatus.FAILED)
        .setContent(ok ? "output of " + agent : "")
        .setPromptTokens(ok ? 100 : 0)
        .setCompletionTokens(ok ? 50 : 0)
        .setLatencyMs(latencyMs)
        .setTtftMs(latencyMs / 4)
        .setError(ok ? null : "http_429: rate limited")
        .setSimulated(false)
        .setCached(false)
        .build();
  }

  static AgentOutput cached(AgentOutput o) {
    AgentOutput c = AgentOutput.newBuilder(o).build();
    c.setCached(true);
    return c;
  }

  /** A succeeded answer: the layers as given, an aggregator, usage summed from all outputs. */
  static FinalAnswer answer(
      String requestId,
      String text,
      List<List<AgentOutput>> layers,
      AgentOutput aggregator,
      long latencyMs) {
    int prompt = 0;
    int completion = 0;
    List<AgentOutput> all = new ArrayList<>();
    layers.forEach(all::addAll);
    if (aggregator != null) {
      all.add(aggregator);
    }
    for (AgentOutput o : all) {
      prompt += o.getPromptTokens();
      completion += o.getCompletionTokens();
    }
    return FinalAnswer.newBuilder()
        .setRequestId(requestId)
        .setRunId("run-1")
        .setSampleId(requestId)
        .setConfigName("default")
        .setStatus(AnswerStatus.SUCCEEDED)
        .setAnswer(text)
        .setError(null)
        .setLayers(layers)
        .setAggregator(aggregator)
        .setUsage(new Usage(prompt, completion))
        .setLatencyMs(latencyMs)
        .setSimulated(false)
        .setSubmittedAtMs(1_000)
        .setCompletedAtMs(1_000 + latencyMs)
        .build();
  }

  static FinalAnswer failed(FinalAnswer a, String error) {
    FinalAnswer f = FinalAnswer.newBuilder(a).build();
    f.setStatus(AnswerStatus.FAILED);
    f.setAnswer("");
    f.setError(error);
    return f;
  }

  static FinalAnswer cancelled(String requestId) {
    return FinalAnswer.newBuilder()
        .setRequestId(requestId)
        .setStatus(AnswerStatus.CANCELLED)
        .setError("cancelled: run cancelled")
        .setUsage(new Usage(0, 0))
        .setLatencyMs(0)
        .setCompletedAtMs(5_000)
        .build();
  }

  static Grade grade(String grader, GradeStatus status, double score, double max, String reason) {
    return Grade.newBuilder()
        .setRequestId("r")
        .setGrader(grader)
        .setStatus(status)
        .setScore(score)
        .setMaxScore(max)
        .setDetailsJson("{\"expected\":\"42\"}")
        .setReason(reason)
        .setGradedAtMs(9_000)
        .build();
  }

  static RunInfo run(
      String status,
      int total,
      List<BadLine> skipped,
      Map<String, dev.moa.protocol.config.ModelPrice> prices) {
    return new RunInfo(
        "run-1",
        "data/qa.jsonl",
        "default",
        "abcdef0123456789",
        false,
        status,
        1_700_000_000_000L,
        1_700_000_065_000L,
        total,
        skipped,
        prices);
  }
}
