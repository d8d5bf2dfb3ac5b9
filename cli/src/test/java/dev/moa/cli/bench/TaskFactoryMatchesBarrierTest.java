package dev.moa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.orchestrator.barrier.Barrier;
import dev.moa.orchestrator.barrier.Step;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.CallTimings;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RequestState;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.prompt.Message;
import dev.moa.protocol.prompt.PromptAssembler;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.request.TaskFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The in-process baseline of {@code moa bench overhead} must send exactly the calls the pipeline
 * sends: every task TaskFactory builds equals the one the barrier emits for the same request, layer
 * after layer, aggregator included.
 */
class TaskFactoryMatchesBarrierTest {

  private static final long NOW = 1_700_000_000_000L;

  @Test
  void everyTaskOfAWholeRequestEqualsWhatTheBarrierEmits() throws Exception {
    MoaConfig config = ConfigLoader.defaultConfig();
    var snapshot =
        RequestFactory.snapshot(
            config, ProviderResolver.resolve(config, name -> null, "http://127.0.0.1:1/v1"));
    MoaRequest request =
        MoaRequest.newBuilder(
                RequestFactory.request(
                    "req-1",
                    snapshot,
                    List.of(
                        new Message("user", "Plan a trip {helper_response}?"),
                        new Message("assistant", "Where to?"),
                        new Message("user", "San Francisco")),
                    42L,
                    NOW,
                    Map.of()))
            .setUseCache(true)
            .build();
    Barrier barrier = new Barrier(Duration.ofHours(1));

    Step step = barrier.onRequest(null, request, NOW);
    RequestState state = step.state();
    String helper = "";
    for (int layer = 1; layer <= snapshot.getLayers().size(); layer++) {
      List<AgentTask> expected = TaskFactory.layerTasks(request, layer, helper, NOW);
      assertThat(step.tasks()).as("layer %d", layer).isEqualTo(expected);
      List<String> contents = new ArrayList<>();
      for (AgentTask task : step.tasks()) {
        String content = "answer of " + task.getTaskId();
        contents.add(content);
        step = barrier.onResult(state, ok(task, content), NOW);
        state = step.state();
      }
      helper = PromptAssembler.helperResponse(snapshot.getReferencePrompt(), contents, 0);
    }
    assertThat(step.aggregate()).isNotNull();
    assertThat(step.aggregate().getCall())
        .isEqualTo(TaskFactory.aggregatorTask(request, helper, NOW));
  }

  private static AgentResult ok(AgentTask task, String content) {
    return AgentResult.newBuilder()
        .setTaskId(task.getTaskId())
        .setRequestId(task.getRequestId())
        .setLayer(task.getLayer())
        .setAgentIndex(task.getAgentIndex())
        .setAgentName(task.getAgentName())
        .setModel(task.getModel())
        .setProvider(task.getProvider().getName())
        .setStatus(CallStatus.SUCCEEDED)
        .setContent(content)
        .setUsage(new Usage(10, 20))
        .setTimings(new CallTimings(5L, 50L, Map.of(), 1))
        .setCompletedAtMs(NOW)
        .build();
  }
}
