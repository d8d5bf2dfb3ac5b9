package dev.moa.graders;

import java.util.Map;

/** Outcome of one grading: a score, or a grading error (which is not a zero score). */
public sealed interface GradeResult permits GradeResult.Scored, GradeResult.Failed {

  /** A score out of {@code maxScore} with grader-specific details. */
  record Scored(double score, double maxScore, Map<String, Object> details) implements GradeResult {
    public Scored {
      details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(details);
    }
  }

  /** The grader could not grade (sandbox unavailable, unparseable verdict, ...). */
  record Failed(String reason) implements GradeResult {}
}
