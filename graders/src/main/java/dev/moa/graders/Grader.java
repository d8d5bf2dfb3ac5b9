package dev.moa.graders;

/** Grades an answer against a target, configured by JSON options. */
public interface Grader {
  String type();

  /**
   * @param answer the model's answer text
   * @param optionsJson grader options as a JSON object (null or blank means none)
   * @param targetJson the expected value as JSON (may be null for graders that ignore it)
   * @throws IllegalArgumentException for bad options or target
   */
  GradeResult grade(String answer, String optionsJson, String targetJson);

  /**
   * Checks options and target without grading, so a dataset can be rejected before a run starts.
   *
   * @throws IllegalArgumentException naming the bad option or target and its value
   */
  default void validate(String optionsJson, String targetJson) {}
}
