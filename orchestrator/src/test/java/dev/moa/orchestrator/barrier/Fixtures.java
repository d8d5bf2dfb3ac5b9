package dev.moa.orchestrator.barrier;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentSpec;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallError;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.CallTimings;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.LayerSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.prompt.PromptAssembler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Requests and results for barrier tests, built directly from the Avro contract. */
final class Fixtures {

  static final ProviderRef SIM =
      ProviderRef.newBuilder()
          .setName("simulator")
          .setBaseUrl("http://127.0.0.1:1/v1")
          .setSimulated(true)
          .build();

  private Fixtures() {}

  static AgentSpec agent(String name, String prompt) {
    return AgentSpec.newBuilder()
        .setName(name)
        .setModel("model-" + name)
        .setProvider(SIM)
        .setTemperature(0.5)
        .setMaxTokens(256)
        .setPrompt(prompt)
        .build();
  }

  static MoaConfigSnapshot config(int layers, int agents, int minSuccesses, long timeoutMs) {
    List<LayerSpec> specs = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      List<AgentSpec> list = new ArrayList<>();
      for (int a = 0; a < agents; a++) {
        list.add(agent("a" + (a + 1), "Agent " + (a + 1) + " says {x}. {helper_response}"));
      }
      specs.add(LayerSpec.newBuilder().setAgents(list).build());
    }
    return MoaConfigSnapshot.newBuilder()
        .setName("test")
        .setLayers(specs)
        .setAggregator(agent("aggregator", "You are helpful.\n\n{helper_response}"))
        .setReferencePrompt(PromptAssembler.DEFAULT_REFERENCE_PROMPT)
        .setMinSuccesses(minSuccesses)
        .setLayerTimeoutMs(timeoutMs)
        .build();
  }

  static MoaRequest request(String id, MoaConfigSnapshot config) {
    return MoaRequest.newBuilder()
        .setRequestId(id)
        .setConfig(config)
        .setMessages(List.of(new ChatMessage("user", "What is {2+2}?")))
        .setSubmittedAtMs(1_000)
        .setMetadata(Map.of())
        .build();
  }

  static AgentResult ok(AgentTask task, String content) {
    return result(task, CallStatus.SUCCEEDED, content, null);
  }

  static AgentResult failed(AgentTask task, String errorClass, String message) {
    return result(task, CallStatus.FAILED, "", new CallError(errorClass, message, 500));
  }

  private static AgentResult result(
      AgentTask task, CallStatus status, String content, CallError error) {
    return AgentResult.newBuilder()
        .setTaskId(task.getTaskId())
        .setRequestId(task.getRequestId())
        .setLayer(task.getLayer())
        .setAgentIndex(task.getAgentIndex())
        .setAgentName(task.getAgentName())
        .setModel(task.getModel())
        .setProvider(task.getProvider().getName())
        .setStatus(status)
        .setContent(content)
        .setError(error)
        .setUsage(new Usage(10, 20))
        .setTimings(CallTimings.newBuilder().setTtftMs(5).setDurationMs(50).build())
        .setSimulated(true)
        .setCompletedAtMs(2_000)
        .build();
  }
}
