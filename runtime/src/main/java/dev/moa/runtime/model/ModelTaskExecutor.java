package dev.moa.runtime.model;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.provider.ChatRequest;
import dev.moa.provider.Endpoint;
import dev.moa.provider.ErrorClass;
import dev.moa.provider.StreamListener;
import dev.moa.runtime.cache.CacheKey;
import dev.moa.runtime.cache.ResponseCache;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one AgentTask: validates it, resolves its endpoint and key, calls the model (measured by
 * {@link ModelCallMetrics}) and turns the outcome into an AgentResult. The returned future always
 * completes normally: a bad task, a missing key or a broken call become a FAILED result, so a task
 * never stalls the layer barrier.
 *
 * <p><b>Response cache.</b> A valid task with {@code use_cache} and a temperature of exactly 0 is
 * looked up by its {@link CacheKey} first (counted in {@code moa.cache.lookups}). A hit is returned
 * as a SUCCEEDED result with {@code cached = true}, the cached content and usage and zero timings;
 * no call is made, and a stream listener gets the whole content as one delta. A miss is called as
 * usual, and a SUCCEEDED result with non-empty content is stored — truncated ones ({@code
 * finish_reason = length}) included, since max_tokens is part of the key and the same call would be
 * cut the same way; an empty answer is more likely a glitch than the answer, so it is not pinned.
 * FAILED results are never stored. Cache trouble only ever costs hits: a lookup that fails is a
 * miss, a store that fails is logged.
 */
public final class ModelTaskExecutor {

  private static final Logger log = LoggerFactory.getLogger(ModelTaskExecutor.class);

  private final ModelCaller caller;
  private final ModelCallMetrics metrics;
  private final Clock clock;
  private final Function<String, String> env;
  private final ResponseCache cache;

  /** An executor without response cache. */
  public ModelTaskExecutor(
      ModelCaller caller, ModelCallMetrics metrics, Clock clock, Function<String, String> env) {
    this(caller, metrics, clock, env, ResponseCache.disabled());
  }

  /**
   * @param env environment lookup for API keys, e.g. {@code System::getenv}
   * @param cache where cacheable tasks look up and store results ({@link ResponseCache#disabled()}
   *     for none)
   */
  public ModelTaskExecutor(
      ModelCaller caller,
      ModelCallMetrics metrics,
      Clock clock,
      Function<String, String> env,
      ResponseCache cache) {
    this.caller = Objects.requireNonNull(caller, "caller");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.env = Objects.requireNonNull(env, "env");
    this.cache = Objects.requireNonNull(cache, "cache");
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
    if (!CacheKey.cacheable(task)) {
      return call(task, tags, endpoint, request, l);
    }
    String key = CacheKey.of(task);
    return lookup(task, key)
        .thenCompose(
            hit -> {
              AgentResult served = hit.map(entry -> serve(task, entry, l)).orElse(null);
              metrics.recordCacheLookup(served != null);
              if (served != null) {
                return CompletableFuture.completedFuture(served);
              }
              return call(task, tags, endpoint, request, l)
                  .thenApply(
                      result -> {
                        storeIfReusable(task, key, result);
                        return result;
                      });
            });
  }

  private CompletableFuture<AgentResult> call(
      AgentTask task,
      ModelCallMetrics.CallTags tags,
      Endpoint endpoint,
      ChatRequest request,
      StreamListener l) {
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

  /** The cache's answer; a lookup that throws or fails is a miss. */
  private CompletableFuture<Optional<CachedResponse>> lookup(AgentTask task, String key) {
    CompletableFuture<Optional<CachedResponse>> found;
    try {
      found = Objects.requireNonNull(cache.lookup(key), "lookup returned no future");
    } catch (RuntimeException e) {
      found = CompletableFuture.failedFuture(e);
    }
    return found.handle(
        (entry, error) -> {
          if (error != null) {
            Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            log.warn(
                "cache lookup of task {} failed; calling: {}", task.getTaskId(), cause.toString());
            return Optional.empty();
          }
          return entry == null ? Optional.empty() : entry;
        });
  }

  /** The result of a hit, its content streamed as one delta; null if the entry is unusable. */
  private AgentResult serve(AgentTask task, CachedResponse entry, StreamListener l) {
    try {
      if (!task.getModel().equals(entry.getModel())
          || !task.getProvider().getName().equals(entry.getProvider())) {
        log.warn(
            "cache entry {} is for {}/{}, not {}/{}; calling",
            entry.getKey(),
            entry.getProvider(),
            entry.getModel(),
            task.getProvider().getName(),
            task.getModel());
        return null;
      }
      AgentResult result = TaskCalls.cachedResult(task, entry, clock);
      try {
        l.onAttemptStart(1);
        if (!result.getContent().isEmpty()) {
          l.onDelta(result.getContent());
        }
      } catch (RuntimeException e) {
        log.warn("stream listener of task {} failed: {}", task.getTaskId(), e.toString());
      }
      return result;
    } catch (RuntimeException e) {
      log.warn("cache entry {} unusable; calling: {}", entry.getKey(), e.toString());
      return null;
    }
  }

  private void storeIfReusable(AgentTask task, String key, AgentResult result) {
    if (result.getStatus() != CallStatus.SUCCEEDED || result.getContent().isEmpty()) {
      return;
    }
    try {
      CachedResponse entry =
          CachedResponse.newBuilder()
              .setKey(key)
              .setProvider(task.getProvider().getName())
              .setModel(task.getModel())
              .setContent(result.getContent())
              .setUsage(result.getUsage())
              .setFinishReason(result.getFinishReason())
              .setCreatedAtMs(clock.millis())
              .build();
      CompletableFuture<Void> stored = cache.store(entry);
      if (stored != null) {
        stored.whenComplete(
            (ok, e) -> {
              if (e != null) {
                log.debug("result of task {} not cached: {}", task.getTaskId(), e.toString());
              }
            });
      }
    } catch (RuntimeException e) {
      log.warn("result of task {} not cached: {}", task.getTaskId(), e.toString());
    }
  }
}
