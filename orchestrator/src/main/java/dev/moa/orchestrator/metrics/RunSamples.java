package dev.moa.orchestrator.metrics;

import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code moa.run.samples} values of one run, from the counts its driver publishes on {@code
 * moa.runs}, and which runs are shown at all: running ones, and ended ones for a while after they
 * ended (then their series go, so run ids do not pile up as labels).
 */
public final class RunSamples {

  public static final String TOTAL = "total";
  public static final String SUBMITTED = "submitted";
  public static final String ANSWERED = "answered";
  public static final String GRADED = "graded";
  public static final String FAILED = "failed";
  public static final String PENDING = "pending";

  /** Every state tag value, in display order. */
  public static final List<String> STATES =
      List.of(TOTAL, SUBMITTED, ANSWERED, GRADED, FAILED, PENDING);

  /** How long an ended run's gauges stay. */
  public static final Duration KEEP_ENDED = Duration.ofHours(1);

  private RunSamples() {}

  /** Samples by state; {@code pending = total - graded - failed}, never below 0. */
  public static Map<String, Long> of(RunState run) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put(TOTAL, (long) run.getTotal());
    m.put(SUBMITTED, (long) run.getSubmitted());
    m.put(ANSWERED, (long) run.getAnswered());
    m.put(GRADED, (long) run.getGraded());
    m.put(FAILED, (long) run.getFailed());
    m.put(PENDING, Math.max(0L, (long) run.getTotal() - run.getGraded() - run.getFailed()));
    return m;
  }

  /** True while the run runs, and for {@code keepEnded} after its last update once it ended. */
  public static boolean shown(RunState run, long nowMs, Duration keepEnded) {
    return run.getStatus() == RunStatus.RUNNING
        || nowMs - run.getUpdatedAtMs() < keepEnded.toMillis();
  }
}
