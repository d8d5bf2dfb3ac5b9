package dev.moa.eval;

/** Checks a dataset line's grader before a run; {@code dev.moa.graders.Graders::validate} fits. */
@FunctionalInterface
public interface GraderValidator {

  /**
   * @param type the grader type
   * @param optionsJson the grader options as a JSON object text
   * @param targetJson the sample's target as JSON text, or null when it has none
   * @throws IllegalArgumentException for an unknown type, or options or a target that do not fit
   */
  void validate(String type, String optionsJson, String targetJson);
}
