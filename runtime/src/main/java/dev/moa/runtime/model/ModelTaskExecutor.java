package dev.moa.runtime.model;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.provider.ChatRequest;
import dev.moa.provider.Endpoint;
import dev.moa.provider.ErrorClass;
import dev.moa.provider.StreamListener;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one AgentTask: validates it, resolves its endpoint and key, calls the model (measured by
 * {@link ModelCallMetrics}) and turns the outcome into an AgentResult. The returned future always
 * completes normally: a bad task, a missing key or a broken call become a FAILED result, so a task
 * never stalls the layer barrier.
 */
public final class ModelTaskExecutor {

  private static final Logger log = LoggerFactory.getLogger(ModelTaskExecutor.class);

  private final ModelCaller caller;
  private final ModelCallMetrics metrics;
  private final Clock clock;
  private final Function<String, String> env;

  /**
   * @param env environment lookup for API keys, e.g. {@code System::getenv}
   */
  public ModelTaskExecutor(
      ModelCaller caller, ModelCallMetrics metrics, Clock clock, Function<String, String> env) {
    this.caller = Objects.requireNonNull(caller, "caller");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.env = Objects.requireNonNull(env, "env");
  }

  /**
   * Runs the task's call.
   *
   * @param listener told about attempts and content deltas as they stream in
   */
  public CompletableFuture<AgentResult> execute(AgentTask task, StreamListener listener) {
    ModelCallMetrics.CallTags tags = ModelCallMetrics.CallTags.of(task);
    Endpoint endpoint;
    ChatRequest request;
    try {
      TaskCalls.validate(task);
      endpoint = TaskCalls.endpointFor(task.getProvider(), env);
      request = TaskCalls.toChatRequest(task);
    } catch (TaskRejectedException e) {
      log.warn(
          "task {} of request {} rejected: {}",
          task.getTaskId(),
          task.getRequestId(),
          e.getMessage());
      metrics.recordRejected(tags, e.errorClass());
      return CompletableFuture.completedFuture(TaskCalls.rejectedResult(task, e, clock));
    } catch (RuntimeException e) {
      metrics.recordRejected(tags, InvalidTaskException.ERROR_CLASS);
      return CompletableFuture.completedFuture(
          TaskCalls.failedResult(
              task,
              InvalidTaskException.ERROR_CLASS,
              "task " + task.getTaskId() + ": " + e.getMessage(),
              clock));
    }
    StreamListener l = listener == null ? StreamListener.none() : listener;
    return metrics
        .observe(tags, () -> caller.chat(endpoint, request, l))
        .handle(
            (outcome, error) -> {
              if (outcome != null) {
                return TaskCalls.toResult(task, outcome, clock, task.getAttempt());
              }
              log.error("model call of task {} broke", task.getTaskId(), error);
              return TaskCalls.failedResult(
                  task,
                  ErrorClass.INTERNAL.wireName(),
                  "model call broke: " + (error == null ? "no outcome" : error.toString()),
                  clock);
            });
  }
}
