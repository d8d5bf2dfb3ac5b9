package dev.moa.runtime.model;

import static dev.moa.runtime.metrics.MetricNames.GEN_AI_OPERATION_DURATION;
import static dev.moa.runtime.metrics.MetricNames.GEN_AI_TIME_PER_OUTPUT_TOKEN;
import static dev.moa.runtime.metrics.MetricNames.GEN_AI_TIME_TO_FIRST_TOKEN;
import static dev.moa.runtime.metrics.MetricNames.GEN_AI_TOKEN_USAGE;
import static dev.moa.runtime.metrics.MetricNames.INFLIGHT_CALLS;
import static dev.moa.runtime.metrics.MetricNames.RETRIES;

import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.Price;
import dev.moa.protocol.config.ModelPrice;
import dev.moa.provider.CallOutcome;
import dev.moa.provider.Endpoint;
import dev.moa.provider.ErrorClass;
import dev.moa.provider.RetryListener;
import dev.moa.runtime.metrics.MetricNames;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Per-call model metrics with the OpenTelemetry GenAI names: token usage (input/output), operation
 * duration, time to first token and time per output token, plus the in-flight gauge, the retry
 * counter, rate-limit waits and (when the task carries a price) cost.
 *
 * <p>Every series of a metric carries the same tag keys (Prometheus drops meters whose keys
 * differ), so {@code error.type} is on every duration sample and empty ({@link
 * MetricNames#NO_ERROR}) for successful calls — which PromQL treats as an absent label. Request ids
 * never become tags.
 */
public final class ModelCallMetrics {

  /** Token-count buckets 1, 4, 16, ..., 67108864 (powers of 4), as the GenAI conventions advise. */
  static final double[] TOKEN_BUCKETS =
      IntStream.rangeClosed(0, 13).mapToDouble(i -> Math.pow(4, i)).toArray();

  /** Operation-duration buckets (seconds) of the GenAI conventions: 0.01 .. 81.92. */
  static final Duration[] DURATION_BUCKETS =
      IntStream.rangeClosed(0, 13)
          .mapToObj(i -> Duration.ofMillis(10L << i))
          .toArray(Duration[]::new);

  /** Time-to-first-token buckets (seconds) of the GenAI conventions. */
  static final Duration[] TTFT_BUCKETS =
      Arrays.stream(
              new double[] {
                0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10
              })
          .mapToObj(seconds -> Duration.ofNanos(Math.round(seconds * 1e9)))
          .toArray(Duration[]::new);

  /** Time-per-output-token buckets (seconds) of the GenAI conventions. */
  static final Duration[] TPOT_BUCKETS =
      Arrays.stream(
              new double[] {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5})
          .mapToObj(seconds -> Duration.ofNanos(Math.round(seconds * 1e9)))
          .toArray(Duration[]::new);

  /** Rate-limit wait buckets (seconds): retry-after values are whole seconds or less. */
  static final Duration[] RATELIMIT_BUCKETS =
      Arrays.stream(new double[] {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60})
          .mapToObj(seconds -> Duration.ofNanos(Math.round(seconds * 1e9)))
          .toArray(Duration[]::new);

  private final MeterRegistry registry;
  private final AtomicInteger inflight = new AtomicInteger();
  private final Set<List<String>> seenEndpoints = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> circuitStates = new ConcurrentHashMap<>();

  public ModelCallMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    Gauge.builder(INFLIGHT_CALLS, inflight, AtomicInteger::get)
        .description("Model calls in flight")
        .register(registry);
  }

  /**
   * The low-cardinality labels of one call, and the model's price (null when unknown: no cost is
   * counted).
   */
  public record CallTags(
      String model, String provider, String agent, String layer, ModelPrice price) {
    public CallTags {
      model = model == null ? "" : model;
      provider = provider == null ? "" : provider;
      agent = agent == null ? "" : agent;
      layer = layer == null ? "" : layer;
    }

    public CallTags(String model, String provider, String agent, String layer) {
      this(model, provider, agent, layer, null);
    }

    /** Tags of a task's call; the aggregator's call is tagged {@code aggregator}. */
    public static CallTags of(AgentTask task) {
      Price p = task.getPrice();
      return new CallTags(
          task.getModel(),
          task.getProvider() == null ? "" : task.getProvider().getName(),
          TaskCalls.agentTag(task),
          TaskCalls.layerTag(task),
          p == null ? null : new ModelPrice(p.getInputUsdPerMtok(), p.getOutputUsdPerMtok()));
    }

    /** Tags of a grader's judge call: agent and layer are both {@code judge}. */
    public static CallTags judge(String model, String provider) {
      return new CallTags(model, provider, MetricNames.JUDGE, MetricNames.JUDGE);
    }

    Tags tags() {
      return Tags.of(
          MetricNames.TAG_MODEL, model,
          MetricNames.TAG_PROVIDER, provider,
          MetricNames.TAG_OPERATION, MetricNames.OPERATION_CHAT,
          MetricNames.TAG_AGENT, agent,
          MetricNames.TAG_LAYER, layer);
    }
  }

  /**
   * Runs a call while counting it in flight, then records its outcome. A call that throws or
   * completes exceptionally is recorded as {@code internal} and its failure passed on.
   */
  public CompletableFuture<CallOutcome> observe(
      CallTags tags, Supplier<CompletableFuture<CallOutcome>> call) {
    registerZeroes(tags.provider(), tags.model());
    inflight.incrementAndGet();
    CompletableFuture<CallOutcome> future;
    try {
      future = Objects.requireNonNull(call.get(), "model call returned no future");
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    return future.whenComplete(
        (outcome, error) -> {
          inflight.decrementAndGet();
          if (outcome != null) {
            record(tags, outcome);
          } else {
            recordFailure(tags, ErrorClass.INTERNAL.wireName(), Duration.ZERO);
          }
        });
  }

  /**
   * Registers the retry counters (every retryable cause) and the rate-limit wait of a provider and
   * model at zero when their first call starts: ratios and alerts over them then have a series
   * before the first retry instead of none.
   */
  private void registerZeroes(String provider, String model) {
    if (!seenEndpoints.add(List.of(provider, model))) {
      return;
    }
    for (ErrorClass cause : ErrorClass.values()) {
      if (cause.retryable()) {
        retries(provider, model, cause);
      }
    }
    rateLimitWait(provider, model);
  }

  private io.micrometer.core.instrument.Counter retries(
      String provider, String model, ErrorClass cause) {
    return registry.counter(
        RETRIES,
        MetricNames.TAG_CAUSE,
        cause.wireName(),
        MetricNames.TAG_PROVIDER,
        provider,
        MetricNames.TAG_MODEL,
        model);
  }

  private Timer rateLimitWait(String provider, String model) {
    return Timer.builder(MetricNames.RATELIMIT_WAIT)
        .description("Time a call waited for a rate limit before it was sent again")
        .tag(MetricNames.TAG_PROVIDER, provider)
        .tag(MetricNames.TAG_MODEL, model)
        .serviceLevelObjectives(RATELIMIT_BUCKETS)
        .register(registry);
  }

  /** Records a finished call: duration; on success also tokens and time to first token. */
  public void record(CallTags tags, CallOutcome outcome) {
    Duration duration = Duration.ofMillis(Math.max(0, outcome.timings().durationMs()));
    if (outcome instanceof CallOutcome.Succeeded s) {
      durationTimer(tags, MetricNames.NO_ERROR).record(duration);
      tokens(tags, MetricNames.TOKEN_TYPE_INPUT).record(s.usage().promptTokens());
      tokens(tags, MetricNames.TOKEN_TYPE_OUTPUT).record(s.usage().completionTokens());
      long ttft = s.timings().ttftMs();
      if (ttft >= 0) {
        Timer.builder(GEN_AI_TIME_TO_FIRST_TOKEN)
            .description("Time to the first content token of a streamed model call")
            .tags(tags.tags())
            .serviceLevelObjectives(TTFT_BUCKETS)
            .register(registry)
            .record(ttft, TimeUnit.MILLISECONDS);
      }
      OptionalDouble tpot =
          timePerOutputToken(
              s.timings().durationMs(), s.timings().ttftMs(), s.usage().completionTokens());
      if (tpot.isPresent()) {
        Timer.builder(GEN_AI_TIME_PER_OUTPUT_TOKEN)
            .description("Time per output token after the first of a streamed model call")
            .tags(tags.tags())
            .serviceLevelObjectives(TPOT_BUCKETS)
            .register(registry)
            .record(Duration.ofNanos(Math.round(tpot.getAsDouble() * 1e9)));
      }
      if (tags.price() != null) {
        cost(
            tags,
            MetricNames.TOKEN_TYPE_INPUT,
            s.usage().promptTokens(),
            tags.price().inputPerMillion());
        cost(
            tags,
            MetricNames.TOKEN_TYPE_OUTPUT,
            s.usage().completionTokens(),
            tags.price().outputPerMillion());
      }
    } else {
      recordFailure(tags, ((CallOutcome.Failed) outcome).errorClass().wireName(), duration);
    }
  }

  /**
   * Seconds per output token after the first: {@code (duration - ttft) / (outputTokens - 1)}, as
   * the GenAI conventions define it; empty without a first token time or with fewer than two output
   * tokens.
   */
  public static OptionalDouble timePerOutputToken(long durationMs, long ttftMs, long outputTokens) {
    if (outputTokens < 2 || ttftMs < 0 || durationMs < ttftMs) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((durationMs - ttftMs) / 1000.0 / (outputTokens - 1));
  }

  /** USD of {@code tokens} at {@code usdPerMillion}. */
  public static double costUsd(long tokens, double usdPerMillion) {
    return tokens * usdPerMillion / 1_000_000.0;
  }

  private void cost(CallTags tags, String type, long tokens, double usdPerMillion) {
    double usd = costUsd(tokens, usdPerMillion);
    if (usd <= 0) {
      return;
    }
    registry
        .counter(
            MetricNames.COST,
            MetricNames.TAG_MODEL,
            tags.model(),
            MetricNames.TAG_TOKEN_TYPE,
            type,
            MetricNames.TAG_AGENT,
            tags.agent())
        .increment(usd);
  }

  /** Records a call that was never made (missing key, invalid task) as a zero-length failure. */
  public void recordRejected(CallTags tags, String errorClass) {
    recordFailure(tags, errorClass, Duration.ZERO);
  }

  private void recordFailure(CallTags tags, String errorType, Duration duration) {
    durationTimer(tags, errorType).record(duration);
  }

  private Timer durationTimer(CallTags tags, String errorType) {
    return Timer.builder(GEN_AI_OPERATION_DURATION)
        .description("Duration of a model call, retries included")
        .tags(tags.tags())
        .tag(MetricNames.TAG_ERROR_TYPE, errorType)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry);
  }

  private DistributionSummary tokens(CallTags tags, String type) {
    return DistributionSummary.builder(GEN_AI_TOKEN_USAGE)
        .description("Tokens used by a model call")
        .tags(tags.tags())
        .tag(MetricNames.TAG_TOKEN_TYPE, type)
        .serviceLevelObjectives(TOKEN_BUCKETS)
        .register(registry);
  }

  /**
   * Counts provider-client retries by cause and records the back-off of a 429 (the provider's
   * retry-after, capped by the client) as a rate-limit wait; hand it to {@code
   * ProviderClientOptions}. Waits in the client-side rate budget are recorded in the same timer by
   * {@link #recordRateLimitWait}.
   */
  public RetryListener retryListener() {
    return new RetryListener() {
      @Override
      public void onRetry(
          Endpoint endpoint, String model, int attempt, ErrorClass cause, Duration delay) {
        String m = model == null ? "" : model;
        retries(endpoint.providerName(), m, cause).increment();
        if (cause == ErrorClass.HTTP_429) {
          rateLimitWait(endpoint.providerName(), m).record(delay);
        }
      }

      @Override
      public void onCircuitState(String provider, String state) {
        circuitState(provider).set(circuitCode(state));
      }
    };
  }

  /** 0 closed, 1 half-open, 2 open (anything else: 0). */
  static int circuitCode(String state) {
    return switch (state) {
      case "OPEN", "FORCED_OPEN" -> 2;
      case "HALF_OPEN" -> 1;
      default -> 0;
    };
  }

  private AtomicInteger circuitState(String provider) {
    return circuitStates.computeIfAbsent(
        provider == null ? "" : provider,
        p -> {
          AtomicInteger state = new AtomicInteger();
          Gauge.builder(MetricNames.CIRCUIT_STATE, state, AtomicInteger::get)
              .description("A provider's circuit breaker: 0 closed, 1 half-open, 2 open")
              .tag(MetricNames.TAG_PROVIDER, p)
              .register(registry);
          return state;
        });
  }

  /**
   * Records the time a call waited for its rate budget before it was sent (see {@code
   * dev.moa.runtime.ratelimit.RateBudgets}); hand {@code metrics::recordRateLimitWait} to it.
   */
  public void recordRateLimitWait(String provider, String model, Duration wait) {
    rateLimitWait(provider == null ? "" : provider, model == null ? "" : model).record(wait);
  }

  /**
   * Counts a response-cache lookup ({@code moa.cache.lookups}, tag {@code result} = hit | miss). A
   * hit records no call metrics: no call was made.
   */
  public void recordCacheLookup(boolean hit) {
    registry
        .counter(
            MetricNames.CACHE_LOOKUPS,
            MetricNames.TAG_RESULT,
            hit ? MetricNames.CACHE_HIT : MetricNames.CACHE_MISS)
        .increment();
  }

  /** Calls currently in flight (the value of the {@code moa.inflight.calls} gauge). */
  public int inflight() {
    return inflight.get();
  }
}
