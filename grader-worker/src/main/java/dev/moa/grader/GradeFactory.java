package dev.moa.grader;

import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.serde.AvroTrust;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Picks the grader for an answer's {@code grading.type} and builds its Grade. Without a grading
 * spec, or without a grader for the type, the grade is NOT_GRADED with the reason; a grader that
 * throws gives an ERROR grade. Never throws for a decodable answer.
 */
public final class GradeFactory {

  public static final String NO_GRADER = "none";
  public static final String NO_SPEC_REASON = "request carries no grading spec";
  public static final String NOT_IMPLEMENTED_REASON = "graders are not implemented yet";

  static {
    AvroTrust.install();
  }

  private final Map<String, Grader> graders = new LinkedHashMap<>();
  private final Clock clock;

  public GradeFactory(List<Grader> graders, Clock clock) {
    for (Grader g : graders) {
      if (this.graders.putIfAbsent(g.type(), g) != null) {
        throw new IllegalArgumentException("two graders for grading type '" + g.type() + "'");
      }
    }
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Grade gradeFor(FinalAnswer answer) {
    GradingSpec spec = answer.getGrading();
    if (spec == null) {
      return grade(answer, NO_GRADER, GradeOutcome.notGraded(NO_SPEC_REASON));
    }
    String type = spec.getType();
    Grader grader = graders.get(type);
    if (grader == null) {
      return grade(
          answer,
          type,
          GradeOutcome.notGraded(
              graders.isEmpty()
                  ? NOT_IMPLEMENTED_REASON
                  : "no grader for grading type '" + type + "'"));
    }
    if (answer.getStatus() != AnswerStatus.SUCCEEDED) {
      return grade(
          answer,
          type,
          GradeOutcome.notGraded(
              "answer is " + answer.getStatus() + ": " + Objects.toString(answer.getError(), "")));
    }
    GradeOutcome outcome;
    try {
      outcome = Objects.requireNonNull(grader.grade(answer, spec), "grader returned no outcome");
    } catch (RuntimeException e) {
      outcome = GradeOutcome.error("grader " + type + " failed: " + e);
    }
    return grade(answer, type, outcome);
  }

  private Grade grade(FinalAnswer answer, String grader, GradeOutcome outcome) {
    return Grade.newBuilder()
        .setRequestId(answer.getRequestId())
        .setRunId(answer.getRunId())
        .setSampleId(answer.getSampleId())
        .setGrader(grader)
        .setStatus(outcome.status())
        .setScore(outcome.score())
        .setMaxScore(outcome.maxScore())
        .setDetailsJson(outcome.detailsJson())
        .setReason(outcome.reason())
        .setGradedAtMs(clock.millis())
        .build();
  }
}
