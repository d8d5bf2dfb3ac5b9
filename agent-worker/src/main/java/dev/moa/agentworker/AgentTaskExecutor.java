package dev.moa.agentworker;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.provider.StreamListener;
import dev.moa.runtime.cache.ResponseCache;
import dev.moa.runtime.model.ModelCallMetrics;
import dev.moa.runtime.model.ModelCaller;
import dev.moa.runtime.model.ModelTaskExecutor;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Turns one AgentTask into one AgentResult. The future never fails: impossible task values become
 * FAILED {@code invalid_task}, an unset key variable FAILED {@code missing_key}, a failed call
 * FAILED with the provider client's error class — so a bad task never stalls the layer barrier.
 * Agent calls are not streamed (only the aggregator's answer is shown live). Tasks that ask for the
 * response cache at temperature 0 are served from it when they can (see {@link ModelTaskExecutor}).
 */
public final class AgentTaskExecutor {

  private final ModelTaskExecutor executor;

  /** An executor without response cache. */
  public AgentTaskExecutor(
      ModelCaller caller, ModelCallMetrics metrics, Clock clock, Function<String, String> env) {
    this(caller, metrics, clock, env, ResponseCache.disabled());
  }

  public AgentTaskExecutor(
      ModelCaller caller,
      ModelCallMetrics metrics,
      Clock clock,
      Function<String, String> env,
      ResponseCache cache) {
    this.executor = new ModelTaskExecutor(caller, metrics, clock, env, cache);
  }

  public CompletableFuture<AgentResult> execute(AgentTask task) {
    return executor.execute(task, StreamListener.none());
  }
}
