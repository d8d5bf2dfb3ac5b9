package dev.moa.grader;

import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.GradingSpec;

/**
 * Grades answers of one {@code grading.type} (exact_match, numeric, llm_judge, ...).
 * Implementations are plain classes registered with the {@link GradeFactory}; they may throw, which
 * becomes an ERROR grade.
 */
public interface Grader {

  /** The {@code grading.type} this grader handles. */
  String type();

  /** Grades one SUCCEEDED answer against its spec (options and target as JSON). */
  GradeOutcome grade(FinalAnswer answer, GradingSpec spec);
}
