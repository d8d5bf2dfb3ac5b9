package dev.moa.simulator;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The simulator's server-side metrics under vLLM's own names (label {@code model_name}), so
 * dashboards and alerts written for a vLLM server work against it. Micrometer is not used: it would
 * rewrite the {@code vllm:} prefix; the Prometheus client keeps colons, which the text format
 * allows. Exemplars are off: they would need a tracer on the classpath.
 *
 * <p>{@code vllm:num_requests_waiting} is always 0: the simulator serves every request at once, so
 * nothing queues. TTFT is the planned time of the first token from the request's arrival.
 */
public final class SimulatorMetrics {

  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  /** vLLM's TTFT buckets (seconds). */
  static final double[] TTFT_BUCKETS = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    20.0, 40.0, 80.0, 160.0, 640.0, 2560.0
  };

  /** vLLM's end-to-end latency buckets (seconds). */
  static final double[] E2E_BUCKETS = {
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0,
    480.0, 960.0, 1920.0, 7680.0
  };

  static final String MODEL = "model_name";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Gauge running =
      Gauge.builder()
          .name("vllm:num_requests_running")
          .help("Number of requests being served")
          .labelNames(MODEL)
          .withoutExemplars()
          .register(registry);
  private final Gauge waiting =
      Gauge.builder()
          .name("vllm:num_requests_waiting")
          .help("Number of requests waiting to be served (always 0: the simulator never queues)")
          .labelNames(MODEL)
          .withoutExemplars()
          .register(registry);
  private final Counter promptTokens =
      Counter.builder()
          .name("vllm:prompt_tokens")
          .help("Prompt tokens of completed requests")
          .labelNames(MODEL)
          .withoutExemplars()
          .register(registry);
  private final Counter generationTokens =
      Counter.builder()
          .name("vllm:generation_tokens")
          .help("Generated tokens of completed requests")
          .labelNames(MODEL)
          .withoutExemplars()
          .register(registry);
  private final Histogram ttft =
      Histogram.builder()
          .name("vllm:time_to_first_token_seconds")
          .help("Time to first token")
          .labelNames(MODEL)
          .classicUpperBounds(TTFT_BUCKETS)
          .classicOnly()
          .withoutExemplars()
          .register(registry);
  private final Histogram e2e =
      Histogram.builder()
          .name("vllm:e2e_request_latency_seconds")
          .help("End-to-end request latency")
          .labelNames(MODEL)
          .classicUpperBounds(E2E_BUCKETS)
          .classicOnly()
          .withoutExemplars()
          .register(registry);

  private final Counter rateLimited =
      Counter.builder()
          .name("moa_simulator_rate_limited")
          .help("Requests answered 429 by the per-key limits (--rpm/--tpm), by key id (a hash)")
          .labelNames("key")
          .withoutExemplars()
          .register(registry);
  private final Counter admittedTokens =
      Counter.builder()
          .name("moa_simulator_admitted_tokens")
          .help("Tokens counted against the per-key limit at admission (input + max completion)")
          .labelNames("key")
          .withoutExemplars()
          .register(registry);
  private final Counter admittedRequests =
      Counter.builder()
          .name("moa_simulator_admitted_requests")
          .help("Requests admitted by the per-key limits, by key id (a hash)")
          .labelNames("key")
          .withoutExemplars()
          .register(registry);

  /** A request of key {@code keyId} was admitted, counting {@code tokens}. */
  void admitted(String keyId, long tokens) {
    admittedRequests.labelValues(keyId).inc();
    admittedTokens.labelValues(keyId).inc(tokens);
  }

  /** A request of key {@code keyId} was refused with a 429. */
  void rateLimited(String keyId) {
    rateLimited.labelValues(keyId).inc();
  }

  /** A request for {@code model} started being served. */
  void started(String model) {
    running.labelValues(model).inc();
    waiting.labelValues(model).set(0);
  }

  /** A request for {@code model} ended, completed or not. */
  void ended(String model) {
    running.labelValues(model).dec();
  }

  /** A request completed with its usage; times in seconds. */
  void completed(String model, long prompt, long generated, double ttftSeconds, double e2eSeconds) {
    promptTokens.labelValues(model).inc(prompt);
    generationTokens.labelValues(model).inc(generated);
    ttft.labelValues(model).observe(ttftSeconds);
    e2e.labelValues(model).observe(e2eSeconds);
  }

  /** Every metric in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
