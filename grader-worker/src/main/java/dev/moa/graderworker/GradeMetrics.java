package dev.moa.graderworker;

import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.runtime.metrics.MetricNames;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Counts published grades ({@code moa.grades}, tags grader and outcome) and records the score of
 * each GRADED one as a fraction of its max score ({@code moa.grade.score}, tag grader).
 */
final class GradeMetrics {

  /** Score buckets: zero (le 0.001), then tenths of the max score; bounds must be above 0. */
  static final double[] SCORE_BUCKETS = {0.001, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};

  private final MeterRegistry registry;

  GradeMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** {@code graded}, {@code error}, or {@code refused} (the grader declined: NOT_GRADED). */
  static String outcome(GradeStatus status) {
    return switch (status) {
      case GRADED -> MetricNames.OUTCOME_GRADED;
      case ERROR -> MetricNames.OUTCOME_ERROR;
      case NOT_GRADED -> MetricNames.OUTCOME_REFUSED;
    };
  }

  /** The score as a fraction of the max score, clamped to 0..1; empty unless GRADED with a max. */
  static OptionalDouble fraction(Grade grade) {
    if (grade.getStatus() != GradeStatus.GRADED || !(grade.getMaxScore() > 0)) {
      return OptionalDouble.empty();
    }
    double f = grade.getScore() / grade.getMaxScore();
    return Double.isNaN(f)
        ? OptionalDouble.empty()
        : OptionalDouble.of(Math.max(0, Math.min(1, f)));
  }

  void record(Grade grade) {
    registry
        .counter(
            MetricNames.GRADES,
            MetricNames.TAG_GRADER,
            grade.getGrader(),
            MetricNames.TAG_OUTCOME,
            outcome(grade.getStatus()))
        .increment();
    fraction(grade)
        .ifPresent(
            f ->
                DistributionSummary.builder(MetricNames.GRADE_SCORE)
                    .description("Score of a graded answer as a fraction of its max score")
                    .tag(MetricNames.TAG_GRADER, grade.getGrader())
                    .serviceLevelObjectives(SCORE_BUCKETS)
                    .register(registry)
                    .record(f));
  }
}
