package dev.moa.protocol.request;

import dev.moa.protocol.avro.AgentSpec;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.LayerKind;
import dev.moa.protocol.avro.LayerSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.prompt.Message;
import dev.moa.protocol.prompt.PromptAssembler;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the AgentTasks of a request: task ids, and the full chat messages of each call (the
 * agent's template with the previous layer's answers filled in, then the conversation). The layer
 * barrier and the in-process baseline of {@code moa bench overhead} build their calls here, so both
 * send the same prompts.
 */
public final class TaskFactory {

  static {
    dev.moa.protocol.serde.AvroTrust.install();
  }

  private TaskFactory() {}

  /** {@code <request>:L<layer>:A<index>}. */
  public static String taskId(String requestId, int layer, int agentIndex) {
    return requestId + ":L" + layer + ":A" + agentIndex;
  }

  /**
   * The task id of a call in {@code round} (0: the first pass; then one more per critic rejection):
   * {@code <request>:L<layer>:A<index>} in round 0, {@code <request>:R<round>:L<layer>:A<index>}
   * after, so a retried layer's results never meet the earlier pass's.
   */
  public static String taskId(String requestId, int round, int layer, int agentIndex) {
    return round == 0
        ? taskId(requestId, layer, agentIndex)
        : requestId + ":R" + round + ":L" + layer + ":A" + agentIndex;
  }

  /** {@code <request>:AGG}. */
  public static String aggregatorTaskId(String requestId) {
    return requestId + ":AGG";
  }

  /** One task per agent of {@code layer} (1-based), with the previous layer's answers. */
  public static List<AgentTask> layerTasks(
      MoaRequest request, int layer, String helperResponse, long now) {
    return layerTasks(request, 0, layer, helperResponse, now);
  }

  /**
   * One task per agent of {@code layer} (1-based) in {@code round} (see {@link #taskId(String, int,
   * int, int)}), with the answers it builds on. A self-MoA layer's k calls share one prompt; each
   * gets its own seed (the request's, or 0, plus 1..k) so the samples differ and repeat exactly.
   */
  public static List<AgentTask> layerTasks(
      MoaRequest request, int round, int layer, String helperResponse, long now) {
    MoaConfigSnapshot config = request.getConfig();
    LayerSpec spec = config.getLayers().get(layer - 1);
    List<AgentSpec> agents = spec.getAgents();
    List<AgentTask> tasks = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      AgentTask task =
          task(
              request,
              taskId(request.getRequestId(), round, layer, i),
              layer,
              i,
              agents.get(i),
              TaskRole.AGENT,
              helperResponse,
              now);
      if (spec.getKind() == LayerKind.SELF_MOA) {
        long base = request.getSeed() == null ? 0 : request.getSeed();
        task = AgentTask.newBuilder(task).setSeed(base + i + 1).build();
      }
      tasks.add(task);
    }
    return tasks;
  }

  /** The aggregator's call, after the last layer. */
  public static AgentTask aggregatorTask(MoaRequest request, String helperResponse, long now) {
    MoaConfigSnapshot config = request.getConfig();
    return task(
        request,
        aggregatorTaskId(request.getRequestId()),
        config.getLayers().size() + 1,
        0,
        config.getAggregator(),
        TaskRole.AGGREGATOR,
        helperResponse,
        now);
  }

  /** One call of a request: {@code system} = the agent's template filled, then the conversation. */
  public static AgentTask task(
      MoaRequest request,
      String taskId,
      int layer,
      int index,
      AgentSpec agent,
      TaskRole role,
      String helperResponse,
      long now) {
    String system = PromptAssembler.fillTemplate(agent.getPrompt(), helperResponse);
    List<Message> conversation =
        request.getMessages().stream().map(m -> new Message(m.getRole(), m.getContent())).toList();
    List<ChatMessage> messages =
        PromptAssembler.messages(system, conversation).stream()
            .map(m -> new ChatMessage(m.role(), m.content()))
            .toList();
    return AgentTask.newBuilder()
        .setTaskId(taskId)
        .setRequestId(request.getRequestId())
        .setLayer(layer)
        .setAgentIndex(index)
        .setAgentName(agent.getName())
        .setRole(role)
        .setModel(agent.getModel())
        .setProvider(agent.getProvider())
        .setTemperature(agent.getTemperature())
        .setMaxTokens(agent.getMaxTokens())
        .setMessages(messages)
        .setAttempt(0)
        .setSeed(request.getSeed())
        .setCreatedAtMs(now)
        .setUseCache(request.getUseCache())
        .setPrice(agent.getPrice())
        .build();
  }
}
