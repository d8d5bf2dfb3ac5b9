package dev.moa.orchestrator.barrier;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentSpec;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AggregationMode;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.LayerKind;
import dev.moa.protocol.avro.LayerSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RequestPhase;
import dev.moa.protocol.avro.RequestState;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.prompt.PromptAssembler;
import dev.moa.protocol.request.AgentOutputs;
import dev.moa.protocol.request.TaskFactory;
import dev.moa.protocol.shape.CriticVerdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layer state machine and barrier of one request, as pure functions of (stored state, input,
 * now). A request runs its layers one after another; a layer completes when every task has a result
 * (a failure counts) or when its deadline passes; then the next layer, the aggregator, or a failed
 * answer follows. Redelivered inputs change nothing.
 */
public final class Barrier {

  static {
    dev.moa.protocol.serde.AvroTrust.install();
  }

  /** How long a finished request's marker is kept so that a redelivered request is recognised. */
  private final Duration doneRetention;

  public Barrier(Duration doneRetention) {
    this.doneRetention = doneRetention;
  }

  public static String aggregatorTaskId(String requestId) {
    return TaskFactory.aggregatorTaskId(requestId);
  }

  public Step onRequest(RequestState existing, MoaRequest request, long now) {
    return onRequest(existing, request, null, now);
  }

  /**
   * A new request. When its run was cancelled ({@code cancelReason} not null) it starts no task: it
   * is answered CANCELLED at once and remembered as done.
   */
  public Step onRequest(RequestState existing, MoaRequest request, String cancelReason, long now) {
    if (existing != null) {
      return Step.ignore("duplicate request " + request.getRequestId());
    }
    if (cancelReason != null) {
      RequestState marker =
          RequestState.newBuilder()
              .setRequestId(request.getRequestId())
              .setPhase(RequestPhase.DONE)
              .setUpdatedAtMs(now)
              .build();
      return Step.put(marker)
          .withAnswer(endedAnswer(request, List.of(), AnswerStatus.CANCELLED, cancelReason, now));
    }
    RequestState fresh =
        RequestState.newBuilder()
            .setRequestId(request.getRequestId())
            .setRequest(request)
            .setPhase(RequestPhase.LAYERS)
            .setLayer(0)
            .setUpdatedAtMs(now)
            .build();
    return startLayer(fresh, 1, "", now);
  }

  public Step onResult(RequestState state, AgentResult result, long now) {
    if (state == null) {
      return Step.ignore("result for unknown request " + result.getRequestId());
    }
    if (state.getPhase() != RequestPhase.LAYERS) {
      return Step.ignore("late result " + result.getTaskId() + " for finished request");
    }
    if (!state.getExpectedTaskIds().contains(result.getTaskId())) {
      return Step.ignore(
          "stale result " + result.getTaskId() + " (layer " + state.getLayer() + ")");
    }
    if (state.getResults().containsKey(result.getTaskId())) {
      return Step.ignore("duplicate result " + result.getTaskId());
    }
    Map<String, AgentResult> results = new HashMap<>(state.getResults());
    results.put(result.getTaskId(), result);
    RequestState.Builder b = RequestState.newBuilder(state).setResults(results).setUpdatedAtMs(now);
    if (state.getResults().isEmpty()) {
      b.setFirstResultAtMs(now);
    }
    RequestState updated = b.build();
    if (results.keySet().containsAll(updated.getExpectedTaskIds())) {
      return completeLayer(updated, now);
    }
    return Step.put(updated);
  }

  /**
   * The request's run was cancelled: a request still in its layers ends now with a CANCELLED answer
   * (its completed layers kept) and starts no further task; calls already running finish, and their
   * results are then ignored as late. Finished requests are left alone.
   */
  public Step onRunCancelled(RequestState state, String reason, long now) {
    if (state == null || state.getPhase() != RequestPhase.LAYERS) {
      return Step.ignore("nothing to cancel");
    }
    return finish(state, now)
        .withAnswer(
            endedAnswer(
                state.getRequest(),
                state.getCompletedLayers(),
                AnswerStatus.CANCELLED,
                reason,
                now));
  }

  /** Called periodically: applies layer deadlines and expires finished markers. */
  public Step onTick(RequestState state, long now) {
    if (state.getPhase() == RequestPhase.LAYERS) {
      if (state.getDeadlineMs() > 0 && now >= state.getDeadlineMs()) {
        return completeLayer(state, now);
      }
      return Step.ignore("waiting");
    }
    if (now - state.getUpdatedAtMs() >= doneRetention.toMillis()) {
      return Step.delete();
    }
    return Step.ignore("done");
  }

  private Step completeLayer(RequestState state, long now) {
    long first = state.getFirstResultAtMs();
    Step.LayerDone done =
        new Step.LayerDone(
            state.getLayer(),
            Math.max(0, now - state.getLayerStartedAtMs()),
            first > 0 ? Math.max(0, now - first) : -1);
    return layerCompleted(state, now).withLayerDone(done);
  }

  private Step layerCompleted(RequestState state, long now) {
    MoaRequest request = state.getRequest();
    MoaConfigSnapshot config = request.getConfig();
    int layer = state.getLayer();
    int round = state.getRound();
    LayerSpec spec = config.getLayers().get(layer - 1);
    List<AgentSpec> agents = spec.getAgents();
    List<AgentOutput> outputs = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      AgentSpec agent = agents.get(i);
      AgentResult result =
          state.getResults().get(TaskFactory.taskId(state.getRequestId(), round, layer, i));
      AgentOutput output =
          AgentOutput.newBuilder(
                  result != null
                      ? AgentOutputs.from(result)
                      : timedOut(agent, layer, i, config.getLayerTimeoutMs()))
              .setRound(round)
              .build();
      outputs.add(output);
      if (output.getStatus() != CallStatus.SUCCEEDED) {
        failures.add(agent.getName() + ": " + output.getError());
      }
    }
    List<List<AgentOutput>> completed = new ArrayList<>(state.getCompletedLayers());
    List<AgentOutput> previous =
        completed.isEmpty() ? List.of() : completed.get(completed.size() - 1);
    int successes = agents.size() - failures.size();
    int required = Math.min(Math.max(1, config.getMinSuccesses()), agents.size());
    if (successes < required) {
      completed.add(outputs);
      String reason =
          "layer "
              + layer
              + (round > 0 ? " (round " + round + ")" : "")
              + ": "
              + successes
              + " of "
              + agents.size()
              + " agents succeeded (min_successes "
              + required
              + "): "
              + String.join("; ", failures);
      return finish(state, now)
          .withAnswer(endedAnswer(request, completed, AnswerStatus.FAILED, reason, now));
    }
    List<String> references;
    int dropped;
    if (spec.getKind() == LayerKind.CRITIC) {
      AgentOutput critic = outputs.get(0);
      CriticVerdict verdict = CriticVerdict.parse(critic.getContent());
      completed.add(
          List.of(AgentOutput.newBuilder(critic).setVerdict(verdict.decision().name()).build()));
      long rejections = rejections(completed, layer);
      if (verdict.rejected() && rejections <= spec.getMaxRetries()) {
        int retryLayer = spec.getRetryLayer() > 0 ? spec.getRetryLayer() : layer - 1;
        String helper = retryHelper(config, completed, retryLayer, critic.getContent());
        RequestState back =
            RequestState.newBuilder(state)
                .setCompletedLayers(completed)
                .setRound(round + 1)
                .setUpdatedAtMs(now)
                .build();
        return startLayer(back, retryLayer, helper, now);
      }
      // Accepted, unreadable, or out of retries: the judged candidates (those kept) go on.
      List<String> candidates = successfulContents(previous);
      references = verdict.kept(candidates);
      dropped = previous.size() - candidates.size();
    } else {
      completed.add(outputs);
      references = successfulContents(outputs);
      dropped = failures.size();
    }
    String helper =
        PromptAssembler.helperResponse(config.getReferencePrompt(), references, dropped);
    RequestState withLayer =
        RequestState.newBuilder(state).setCompletedLayers(completed).setUpdatedAtMs(now).build();
    if (layer < config.getLayers().size()) {
      return startLayer(withLayer, layer + 1, helper, now);
    }
    AgentSpec aggregator = config.getAggregator();
    if (config.getAggregation() == AggregationMode.BEST_OF_N) {
      helper = PromptAssembler.helperResponse(CANDIDATES_HEADING, references, dropped);
    }
    AgentTask call =
        task(
            request,
            aggregatorTaskId(request.getRequestId()),
            layer + 1,
            0,
            aggregator,
            TaskRole.AGGREGATOR,
            helper,
            now);
    AggregateTask aggregate =
        AggregateTask.newBuilder()
            .setRequestId(request.getRequestId())
            .setRunId(request.getRunId())
            .setSampleId(request.getSampleId())
            .setConfigName(config.getName())
            .setCall(call)
            .setLayers(completed)
            .setGrading(request.getGrading())
            .setSubmittedAtMs(request.getSubmittedAtMs())
            .setAggregation(config.getAggregation())
            .setVotePattern(config.getVotePattern())
            .setCandidates(references)
            .build();
    return finish(state, now).withAggregate(aggregate);
  }

  /** What a best_of_n judge reads before the numbered candidates. */
  static final String CANDIDATES_HEADING = "Candidate answers:";

  /** What a layer sent back by a critic reads: the critique, after its usual references. */
  static final String CRITIQUE_HEADING =
      "A critic rejected the previous answers. Address its critique in a better answer.\n"
          + "Critique:\n";

  private static List<String> successfulContents(List<AgentOutput> outputs) {
    return outputs.stream()
        .filter(o -> o.getStatus() == CallStatus.SUCCEEDED)
        .map(AgentOutput::getContent)
        .toList();
  }

  /** How many times the critic of {@code layer} has rejected so far (this verdict included). */
  private static long rejections(List<List<AgentOutput>> completed, int layer) {
    return completed.stream()
        .flatMap(List::stream)
        .filter(o -> o.getLayer() == layer && "REJECT".equals(o.getVerdict()))
        .count();
  }

  /**
   * The helper response of a layer a critic sent back to: the references it had before (the latest
   * pass of the layer below it, nothing for layer 1), then the critique.
   */
  private static String retryHelper(
      MoaConfigSnapshot config,
      List<List<AgentOutput>> completed,
      int retryLayer,
      String critique) {
    String references = "";
    for (int i = completed.size() - 1; i >= 0 && retryLayer > 1; i--) {
      List<AgentOutput> pass = completed.get(i);
      if (!pass.isEmpty() && pass.get(0).getLayer() == retryLayer - 1) {
        List<String> contents = successfulContents(pass);
        references =
            PromptAssembler.helperResponse(
                    config.getReferencePrompt(), contents, pass.size() - contents.size())
                + "\n\n";
        break;
      }
    }
    return references + CRITIQUE_HEADING + critique;
  }

  private Step startLayer(RequestState state, int layer, String helperResponse, long now) {
    MoaRequest request = state.getRequest();
    MoaConfigSnapshot config = request.getConfig();
    List<AgentTask> tasks =
        TaskFactory.layerTasks(request, state.getRound(), layer, helperResponse, now);
    List<String> expected = tasks.stream().map(AgentTask::getTaskId).toList();
    long timeout = config.getLayerTimeoutMs();
    RequestState next =
        RequestState.newBuilder(state)
            .setPhase(RequestPhase.LAYERS)
            .setLayer(layer)
            .setExpectedTaskIds(expected)
            .setResults(Map.of())
            .setLayerStartedAtMs(now)
            .setFirstResultAtMs(0)
            .setDeadlineMs(timeout > 0 ? now + timeout : 0)
            .setUpdatedAtMs(now)
            .build();
    return Step.put(next).withTasks(tasks);
  }

  /** Keeps only a small DONE marker: the request is recognised if redelivered, nothing more. */
  private static Step finish(RequestState state, long now) {
    RequestState done =
        RequestState.newBuilder()
            .setRequestId(state.getRequestId())
            .setRequest(null)
            .setPhase(RequestPhase.DONE)
            .setLayer(state.getLayer())
            .setUpdatedAtMs(now)
            .build();
    return Step.put(done);
  }

  private static AgentTask task(
      MoaRequest request,
      String taskId,
      int layer,
      int index,
      AgentSpec agent,
      TaskRole role,
      String helperResponse,
      long now) {
    return TaskFactory.task(request, taskId, layer, index, agent, role, helperResponse, now);
  }

  private static AgentOutput timedOut(AgentSpec agent, int layer, int index, long timeoutMs) {
    return AgentOutput.newBuilder()
        .setAgent(agent.getName())
        .setModel(agent.getModel())
        .setLayer(layer)
        .setAgentIndex(index)
        .setStatus(CallStatus.FAILED)
        .setLatencyMs(timeoutMs)
        .setError("timeout: no result within the layer timeout of " + timeoutMs + " ms")
        .setSimulated(agent.getProvider().getSimulated())
        .build();
  }

  private static FinalAnswer endedAnswer(
      MoaRequest request,
      List<List<AgentOutput>> layers,
      AnswerStatus status,
      String reason,
      long now) {
    int prompt = 0;
    int completion = 0;
    boolean simulated = false;
    for (List<AgentOutput> layer : layers) {
      for (AgentOutput o : layer) {
        prompt += o.getPromptTokens();
        completion += o.getCompletionTokens();
        simulated |= o.getSimulated();
      }
    }
    return FinalAnswer.newBuilder()
        .setRequestId(request.getRequestId())
        .setRunId(request.getRunId())
        .setSampleId(request.getSampleId())
        .setConfigName(request.getConfig().getName())
        .setStatus(status)
        .setError(reason)
        .setLayers(layers)
        .setUsage(new Usage(prompt, completion))
        .setLatencyMs(now - request.getSubmittedAtMs())
        .setSimulated(simulated)
        .setGrading(request.getGrading())
        .setSubmittedAtMs(request.getSubmittedAtMs())
        .setCompletedAtMs(now)
        .build();
  }
}
