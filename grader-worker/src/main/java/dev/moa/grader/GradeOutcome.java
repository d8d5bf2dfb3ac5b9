package dev.moa.grader;

import dev.moa.protocol.avro.GradeStatus;
import java.util.Objects;

/** What a {@link Grader} decided; the {@link GradeFactory} turns it into a Grade record. */
public record GradeOutcome(
    GradeStatus status, double score, double maxScore, String detailsJson, String reason) {

  public GradeOutcome {
    Objects.requireNonNull(status, "status");
    detailsJson = detailsJson == null ? "{}" : detailsJson;
  }

  public static GradeOutcome notGraded(String reason) {
    return new GradeOutcome(GradeStatus.NOT_GRADED, 0, 0, "{}", reason);
  }

  public static GradeOutcome error(String reason) {
    return new GradeOutcome(GradeStatus.ERROR, 0, 0, "{}", reason);
  }
}
