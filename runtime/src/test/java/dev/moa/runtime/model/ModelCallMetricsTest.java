package dev.moa.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.provider.CallOutcome;
import dev.moa.provider.CallTimings;
import dev.moa.provider.Endpoint;
import dev.moa.provider.ErrorClass;
import dev.moa.provider.Usage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModelCallMetricsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ModelCallMetrics metrics = new ModelCallMetrics(registry);
  final ModelCallMetrics.CallTags tags =
      new ModelCallMetrics.CallTags("qwen-3-32b", "cerebras", "qwen", "0");

  static CallOutcome ok(int in, int out, long ttft, long duration) {
    return CallOutcome.succeeded(
        "x", new Usage(in, out), new CallTimings(ttft, duration, Map.of(), 1), "stop", null);
  }

  @Test
  void successRecordsDurationTokensAndTimeToFirstTokenWithGenAiTags() {
    metrics.record(tags, ok(100, 20, 150, 1200));

    Timer duration = registry.get("gen_ai.client.operation.duration").timer();
    assertThat(duration.count()).isEqualTo(1);
    assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1200);
    Meter.Id id = duration.getId();
    assertThat(id.getTag("gen_ai.request.model")).isEqualTo("qwen-3-32b");
    assertThat(id.getTag("gen_ai.provider.name")).isEqualTo("cerebras");
    assertThat(id.getTag("gen_ai.operation.name")).isEqualTo("chat");
    assertThat(id.getTag("moa.agent")).isEqualTo("qwen");
    assertThat(id.getTag("moa.layer")).isEqualTo("0");
    assertThat(id.getTag("error.type")).isEmpty();

    DistributionSummary input =
        registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "input").summary();
    DistributionSummary output =
        registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "output").summary();
    assertThat(input.totalAmount()).isEqualTo(100);
    assertThat(output.totalAmount()).isEqualTo(20);
    assertThat(input.getId().getTag("moa.agent")).isEqualTo("qwen");

    Timer ttft = registry.get("gen_ai.server.time_to_first_token").timer();
    assertThat(ttft.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(150);
  }

  @Test
  void failureRecordsDurationWithErrorTypeAndNoTokens() {
    metrics.record(
        tags,
        CallOutcome.failed(ErrorClass.HTTP_429, "slow", 429, new CallTimings(-1, 300, null, 4)));

    Timer t =
        registry.get("gen_ai.client.operation.duration").tag("error.type", "http_429").timer();
    assertThat(t.count()).isEqualTo(1);
    assertThat(registry.find("gen_ai.client.token.usage").meters()).isEmpty();
    assertThat(registry.find("gen_ai.server.time_to_first_token").meters()).isEmpty();
  }

  @Test
  void rejectedCallIsAZeroLengthFailureOfItsClass() {
    metrics.recordRejected(tags, "missing_key");

    Timer t =
        registry.get("gen_ai.client.operation.duration").tag("error.type", "missing_key").timer();
    assertThat(t.count()).isEqualTo(1);
    assertThat(t.totalTime(TimeUnit.MILLISECONDS)).isZero();
  }

  @Test
  void tokenUsageHasPowerOfFourBucketsUpTo64Mi() {
    metrics.record(tags, ok(5, 70_000_000, 1, 1));

    CountAtBucket[] buckets =
        registry
            .get("gen_ai.client.token.usage")
            .tag("gen_ai.token.type", "input")
            .summary()
            .takeSnapshot()
            .histogramCounts();
    assertThat(Arrays.stream(buckets).mapToDouble(CountAtBucket::bucket).toArray())
        .containsExactly(
            1d, 4d, 16d, 64d, 256d, 1024d, 4096d, 16384d, 65536d, 262144d, 1048576d, 4194304d,
            16777216d, 67108864d);
    assertThat(buckets[2].count()).isEqualTo(1); // 5 tokens fall into le=16
  }

  @Test
  void durationsHaveHistogramBuckets() {
    metrics.record(tags, ok(1, 1, 30, 700));

    assertThat(
            registry
                .get("gen_ai.client.operation.duration")
                .timer()
                .takeSnapshot()
                .histogramCounts())
        .isNotEmpty();
    assertThat(
            registry
                .get("gen_ai.server.time_to_first_token")
                .timer()
                .takeSnapshot()
                .histogramCounts())
        .isNotEmpty();
  }

  @Test
  void inflightGaugeCountsObservedCallsUntilTheyComplete() {
    CompletableFuture<CallOutcome> pending = new CompletableFuture<>();

    CompletableFuture<CallOutcome> observed = metrics.observe(tags, () -> pending);

    assertThat(registry.get("moa.inflight.calls").gauge().value()).isEqualTo(1);
    pending.complete(ok(1, 2, 3, 4));
    assertThat(observed).isCompleted();
    assertThat(registry.get("moa.inflight.calls").gauge().value()).isZero();
    assertThat(registry.get("gen_ai.client.operation.duration").timer().count()).isEqualTo(1);
  }

  @Test
  void callThatThrowsIsCountedAsInternalFailureAndLeavesNothingInFlight() {
    CompletableFuture<CallOutcome> observed =
        metrics.observe(
            tags,
            () -> {
              throw new IllegalStateException("boom");
            });

    assertThat(observed).isCompletedExceptionally();
    assertThat(metrics.inflight()).isZero();
    assertThat(
            registry.get("gen_ai.client.operation.duration").tag("error.type", "internal").timer())
        .isNotNull();
  }

  @Test
  void retryListenerCountsRetriesByCause() {
    Endpoint e = new Endpoint("cerebras", "http://x/v1", "secret");
    metrics.retryListener().onRetry(e, "m", 1, ErrorClass.HTTP_429, Duration.ofMillis(5));
    metrics.retryListener().onRetry(e, "m", 2, ErrorClass.HTTP_429, Duration.ofMillis(5));
    metrics.retryListener().onRetry(e, "m", 1, ErrorClass.TIMEOUT, Duration.ofMillis(5));

    assertThat(registry.get("moa.retries").tag("cause", "http_429").counter().count()).isEqualTo(2);
    assertThat(registry.get("moa.retries").tag("cause", "timeout").counter().count()).isEqualTo(1);
  }

  @Test
  void prometheusExportsSucceededAndFailedCallsOfTheSameMetric() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ModelCallMetrics m = new ModelCallMetrics(prometheus);

    m.record(tags, ok(10, 5, 20, 40));
    m.record(
        tags,
        CallOutcome.failed(ErrorClass.TIMEOUT, "slow", null, new CallTimings(-1, 50, null, 1)));

    String scrape = prometheus.scrape();
    assertThat(scrape)
        .contains("gen_ai_client_operation_duration_seconds_count{")
        .contains("error_type=\"timeout\"")
        .contains("error_type=\"\"")
        .contains("gen_ai_client_token_usage_bucket{")
        .contains("le=\"6.7108864E7\"")
        .contains("gen_ai_server_time_to_first_token_seconds_bucket{")
        .doesNotContain("request_id");
  }

  @Test
  void timePerOutputTokenIsDecodeTimeOverTheTokensAfterTheFirst() {
    assertThat(ModelCallMetrics.timePerOutputToken(1200, 200, 11).getAsDouble())
        .isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ModelCallMetrics.timePerOutputToken(1200, 200, 1)).isEmpty();
    assertThat(ModelCallMetrics.timePerOutputToken(1200, -1, 11)).isEmpty();
    assertThat(ModelCallMetrics.timePerOutputToken(100, 200, 11)).isEmpty();
  }

  @Test
  void successRecordsTimePerOutputTokenWithTheCallTags() {
    metrics.record(tags, ok(100, 21, 200, 2200));
    metrics.record(tags, ok(100, 1, 200, 300));

    Timer tpot = registry.get("gen_ai.server.time_per_output_token").timer();
    assertThat(tpot.count()).as("a one-token answer has no time per output token").isEqualTo(1);
    assertThat(tpot.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(100, offsetMs());
    assertThat(tpot.getId().getTag("moa.agent")).isEqualTo("qwen");
    assertThat(tpot.getId().getTag("gen_ai.request.model")).isEqualTo("qwen-3-32b");
  }

  static org.assertj.core.data.Offset<Double> offsetMs() {
    return org.assertj.core.data.Offset.offset(0.001);
  }

  @Test
  void costIsCountedByTokenTypeOnlyWhenTheTaskHasAPrice() {
    var priced =
        new ModelCallMetrics.CallTags(
            "qwen-3-32b",
            "cerebras",
            "qwen",
            "1",
            new dev.moa.protocol.config.ModelPrice(0.4, 0.8));
    metrics.record(priced, ok(1_000_000, 500_000, 10, 100));
    metrics.record(tags, ok(1_000_000, 500_000, 10, 100));

    var input = registry.get("moa.cost.usd").tag("gen_ai.token.type", "input").counter();
    var output = registry.get("moa.cost.usd").tag("gen_ai.token.type", "output").counter();
    assertThat(input.count()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(output.count()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(input.getId().getTag("moa.agent")).isEqualTo("qwen");
    assertThat(input.getId().getTag("gen_ai.request.model")).isEqualTo("qwen-3-32b");
    assertThat(ModelCallMetrics.costUsd(2_000, 0.5)).isEqualTo(0.001);
  }

  @Test
  void aRateLimitedRetryRecordsItsBackOffAsARateLimitWait() {
    var endpoint = new Endpoint("cerebras", "http://127.0.0.1:1/v1", null);
    metrics.retryListener().onRetry(endpoint, "m", 1, ErrorClass.HTTP_429, Duration.ofSeconds(2));
    metrics.retryListener().onRetry(endpoint, "m", 2, ErrorClass.TIMEOUT, Duration.ofSeconds(1));

    Timer wait = registry.get("moa.ratelimit.wait").timer();
    assertThat(wait.count()).as("only 429 back-offs wait for a rate limit").isEqualTo(1);
    assertThat(wait.totalTime(TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(wait.getId().getTag("gen_ai.provider.name")).isEqualTo("cerebras");
    assertThat(wait.getId().getTag("gen_ai.request.model")).isEqualTo("m");
    assertThat(registry.get("moa.retries").tag("cause", "timeout").counter().count()).isEqualTo(1);
  }

  @Test
  void judgeCallsAreTaggedWithTheJudgeRole() {
    metrics.record(ModelCallMetrics.CallTags.judge("llama", "simulator"), ok(10, 5, 1, 10));

    Meter.Id id = registry.get("gen_ai.client.operation.duration").timer().getId();
    assertThat(id.getTag("moa.agent")).isEqualTo("judge");
    assertThat(id.getTag("moa.layer")).isEqualTo("judge");
  }

  @Test
  void aCallRegistersItsRetryAndRateLimitSeriesAtZero() {
    metrics.observe(tags, () -> CompletableFuture.completedFuture(ok(1, 1, 1, 1))).join();

    assertThat(
            registry
                .get("moa.retries")
                .tag("cause", "http_429")
                .tag("gen_ai.request.model", "qwen-3-32b")
                .counter()
                .count())
        .isZero();
    assertThat(
            registry
                .get("moa.ratelimit.wait")
                .tag("gen_ai.provider.name", "cerebras")
                .timer()
                .count())
        .isZero();
  }

  @Test
  void circuitStateIsAGaugePerProviderInPrometheusText() {
    PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var listener = new ModelCallMetrics(prom).retryListener();
    listener.onCircuitState("cerebras", "CLOSED");
    listener.onCircuitState("openai", "CLOSED");
    listener.onCircuitState("cerebras", "OPEN");

    String text = prom.scrape();
    assertThat(text)
        .contains("moa_provider_circuit_state{gen_ai_provider_name=\"cerebras\"} 2.0")
        .contains("moa_provider_circuit_state{gen_ai_provider_name=\"openai\"} 0.0");
    listener.onCircuitState("cerebras", "HALF_OPEN");
    assertThat(prom.scrape())
        .contains("moa_provider_circuit_state{gen_ai_provider_name=\"cerebras\"} 1.0");
  }
}
