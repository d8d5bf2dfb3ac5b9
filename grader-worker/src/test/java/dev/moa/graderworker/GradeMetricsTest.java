package dev.moa.graderworker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class GradeMetricsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final GradeMetrics metrics = new GradeMetrics(registry);

  static Grade grade(GradeStatus status, double score, double max) {
    return Grade.newBuilder()
        .setRequestId("r")
        .setGrader("exact")
        .setStatus(status)
        .setScore(score)
        .setMaxScore(max)
        .setGradedAtMs(1)
        .build();
  }

  @Test
  void gradesAreCountedByGraderAndOutcome() {
    metrics.record(grade(GradeStatus.GRADED, 1, 1));
    metrics.record(grade(GradeStatus.ERROR, 0, 0));
    metrics.record(grade(GradeStatus.NOT_GRADED, 0, 0));

    for (String outcome : new String[] {"graded", "error", "refused"}) {
      assertThat(
              registry
                  .get("moa.grades")
                  .tag("grader", "exact")
                  .tag("outcome", outcome)
                  .counter()
                  .count())
          .as(outcome)
          .isEqualTo(1);
    }
  }

  @Test
  void scoreIsRecordedAsAFractionOfTheMaxScoreForGradedGradesOnly() {
    metrics.record(grade(GradeStatus.GRADED, 30, 120));
    metrics.record(grade(GradeStatus.ERROR, 5, 10));

    DistributionSummary score = registry.get("moa.grade.score").tag("grader", "exact").summary();
    assertThat(score.count()).isEqualTo(1);
    assertThat(score.totalAmount()).isEqualTo(0.25);
  }

  @Test
  void fractionIsClampedAndNeedsAMaxScore() {
    assertThat(GradeMetrics.fraction(grade(GradeStatus.GRADED, 12, 10))).hasValue(1.0);
    assertThat(GradeMetrics.fraction(grade(GradeStatus.GRADED, 1, 0))).isEmpty();
  }
}
