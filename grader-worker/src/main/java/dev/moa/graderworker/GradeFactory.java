package dev.moa.graderworker;

import dev.moa.graders.GradeResult;
import dev.moa.graders.Grader;
import dev.moa.graders.Graders;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.serde.AvroTrust;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Grades an answer with the library grader of its {@code grading.type} and builds its Grade:
 *
 * <ul>
 *   <li>no grading spec: NOT_GRADED by {@value #NO_GRADER};
 *   <li>an unknown type: ERROR naming the type and the known types;
 *   <li>a FAILED or CANCELLED answer: NOT_GRADED with its error;
 *   <li>a score: GRADED with score, max score and the grader's details as JSON;
 *   <li>a grading error ({@link GradeResult.Failed}): ERROR with its reason;
 *   <li>bad options or target: ERROR "bad grader options: ...".
 * </ul>
 *
 * Never throws for a decodable answer: whatever a grader does becomes a Grade.
 */
public final class GradeFactory {

  private static final Logger log = LoggerFactory.getLogger(GradeFactory.class);

  public static final String NO_GRADER = "none";
  public static final String NO_SPEC_REASON = "request carries no grading spec";
  public static final String BAD_OPTIONS = "bad grader options: ";

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  static {
    AvroTrust.install();
  }

  private final Graders graders;
  private final Clock clock;

  public GradeFactory(Graders graders, Clock clock) {
    this.graders = Objects.requireNonNull(graders, "graders");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The {@code grader} field a grade of this answer will carry. */
  public static String graderName(FinalAnswer answer) {
    GradingSpec spec = answer.getGrading();
    return spec == null ? NO_GRADER : spec.getType();
  }

  public Grade gradeFor(FinalAnswer answer) {
    GradingSpec spec = answer.getGrading();
    if (spec == null) {
      return notGraded(answer, NO_GRADER, NO_SPEC_REASON);
    }
    String type = spec.getType();
    Grader grader;
    try {
      grader = graders.forType(type);
    } catch (IllegalArgumentException e) {
      return error(answer, type, e.getMessage());
    }
    if (answer.getStatus() != AnswerStatus.SUCCEEDED) {
      return notGraded(
          answer,
          type,
          "answer is " + answer.getStatus() + ": " + Objects.toString(answer.getError(), ""));
    }
    GradeResult result;
    try {
      result = grader.grade(answer.getAnswer(), spec.getOptionsJson(), spec.getTargetJson());
    } catch (IllegalArgumentException e) {
      return error(answer, type, BAD_OPTIONS + e.getMessage());
    } catch (RuntimeException | StackOverflowError e) {
      log.warn("grader {} failed on request {}", type, answer.getRequestId(), e);
      return error(answer, type, "grader " + type + " failed: " + e);
    }
    if (result instanceof GradeResult.Scored s) {
      String details;
      try {
        details = JSON.writeValueAsString(s.details());
      } catch (JacksonException e) {
        return error(answer, type, "grader " + type + " details are not JSON: " + e.getMessage());
      }
      return builder(answer, type, GradeStatus.GRADED)
          .setScore(s.score())
          .setMaxScore(s.maxScore())
          .setDetailsJson(details)
          .build();
    }
    if (result instanceof GradeResult.Failed f) {
      return error(answer, type, f.reason());
    }
    return error(answer, type, "grader " + type + " returned no result");
  }

  /** An ERROR grade for an answer whose grading broke outside the grader (never thrown away). */
  public Grade error(FinalAnswer answer, String grader, String reason) {
    return builder(answer, grader, GradeStatus.ERROR).setReason(reason).build();
  }

  private Grade notGraded(FinalAnswer answer, String grader, String reason) {
    return builder(answer, grader, GradeStatus.NOT_GRADED).setReason(reason).build();
  }

  private Grade.Builder builder(FinalAnswer answer, String grader, GradeStatus status) {
    return Grade.newBuilder()
        .setRequestId(answer.getRequestId())
        .setRunId(answer.getRunId())
        .setSampleId(answer.getSampleId())
        .setGrader(grader)
        .setStatus(status)
        .setScore(0)
        .setMaxScore(0)
        .setDetailsJson("{}")
        .setReason(null)
        .setGradedAtMs(clock.millis());
  }
}
