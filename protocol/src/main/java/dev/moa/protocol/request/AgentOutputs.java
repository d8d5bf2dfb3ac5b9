package dev.moa.protocol.request;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.CallError;

/** A finished call as reports show it. */
public final class AgentOutputs {

  private AgentOutputs() {}

  /** {@code latency_ms} is the call's duration; {@code error} is "error_class: message". */
  public static AgentOutput from(AgentResult r) {
    CallError e = r.getError();
    return AgentOutput.newBuilder()
        .setAgent(r.getAgentName())
        .setModel(r.getModel())
        .setLayer(r.getLayer())
        .setAgentIndex(r.getAgentIndex())
        .setStatus(r.getStatus())
        .setContent(r.getContent())
        .setPromptTokens(r.getUsage().getPromptTokens())
        .setCompletionTokens(r.getUsage().getCompletionTokens())
        .setLatencyMs(r.getTimings().getDurationMs())
        .setTtftMs(r.getTimings().getTtftMs())
        .setError(e == null ? null : e.getErrorClass() + ": " + e.getMessage())
        .setSimulated(r.getSimulated())
        .setCached(r.getCached())
        .build();
  }
}
