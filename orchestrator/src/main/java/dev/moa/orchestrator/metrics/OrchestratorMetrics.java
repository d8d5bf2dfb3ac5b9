package dev.moa.orchestrator.metrics;

import dev.moa.orchestrator.barrier.LayerListener;
import dev.moa.orchestrator.barrier.Step;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.RunState;
import dev.moa.runtime.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The orchestrator's pipeline metrics: end-to-end request duration and requests by outcome (from
 * every answer on {@code moa.answers}), layer duration and barrier wait by layer (from the
 * barrier), and the samples of each batch run by state (from {@code moa.runs}). Timers publish
 * percentile histograms so that {@code histogram_quantile} works across instances.
 */
public final class OrchestratorMetrics implements LayerListener {

  /** Histogram range: a fast simulated layer to a slow real request. */
  private static final Duration MIN_EXPECTED = Duration.ofMillis(1);

  private static final Duration MAX_EXPECTED = Duration.ofMinutes(10);

  private final MeterRegistry registry;
  private final MultiGauge runSamples;

  public OrchestratorMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.runSamples =
        MultiGauge.builder(MetricNames.RUN_SAMPLES)
            .description("Samples of a batch run by state (pending = total - graded - failed)")
            .register(registry);
  }

  @Override
  public void onLayerDone(Step.LayerDone done) {
    String layer = Integer.toString(done.layer());
    timer(MetricNames.LAYER_DURATION, "Time from a layer's tasks to its completion", layer)
        .record(Duration.ofMillis(done.durationMs()));
    if (done.barrierWaitMs() >= 0) {
      timer(MetricNames.BARRIER_WAIT, "Time from a layer's first result to its completion", layer)
          .record(Duration.ofMillis(done.barrierWaitMs()));
    }
  }

  private Timer timer(String name, String description, String layer) {
    return Timer.builder(name)
        .description(description)
        .tag(MetricNames.TAG_LAYER, layer)
        .publishPercentileHistogram()
        .minimumExpectedValue(MIN_EXPECTED)
        .maximumExpectedValue(MAX_EXPECTED)
        .register(registry);
  }

  /** Records an answer of any origin (aggregator or barrier): ok only when it SUCCEEDED. */
  public void onAnswer(FinalAnswer answer) {
    String outcome =
        answer.getStatus() == AnswerStatus.SUCCEEDED
            ? MetricNames.OUTCOME_OK
            : MetricNames.OUTCOME_FAILED;
    long latency = answer.getLatencyMs();
    if (latency <= 0 && answer.getSubmittedAtMs() > 0) {
      latency = answer.getCompletedAtMs() - answer.getSubmittedAtMs();
    }
    Timer.builder(MetricNames.REQUEST_DURATION)
        .description("End-to-end time from a request to its final answer")
        .tag(MetricNames.TAG_OUTCOME, outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(MIN_EXPECTED)
        .maximumExpectedValue(MAX_EXPECTED)
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, latency)));
    Counter.builder(MetricNames.REQUESTS)
        .description("Requests answered, by outcome")
        .tag(MetricNames.TAG_OUTCOME, outcome)
        .register(registry)
        .increment();
  }

  /** Replaces the run-sample gauges with those of the runs shown now; the others' series go. */
  public void updateRuns(Collection<RunState> runs, long nowMs) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (RunState run : runs) {
      if (!RunSamples.shown(run, nowMs, RunSamples.KEEP_ENDED)) {
        continue;
      }
      for (Map.Entry<String, Long> e : RunSamples.of(run).entrySet()) {
        rows.add(
            MultiGauge.Row.of(
                Tags.of(MetricNames.TAG_RUN, run.getRunId(), MetricNames.TAG_STATE, e.getKey()),
                e.getValue()));
      }
    }
    runSamples.register(rows, true);
  }
}
