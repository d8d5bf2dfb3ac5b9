package dev.moa.graders;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Registry of graders by type. */
public final class Graders {
  private final Map<String, Grader> byType = new LinkedHashMap<>();

  /**
   * Default registry using {@code /usr/bin/bwrap} and {@code /usr/bin/python3}, without a judge
   * model.
   */
  public Graders() {
    this(new BwrapSandbox());
  }

  /** A registry without a judge model: {@code judge} gradings fail, their validation works. */
  public Graders(BwrapSandbox sandbox) {
    this(sandbox, null);
  }

  /**
   * @param judge the model of the {@code judge} grader; null when none is configured ({@code judge}
   *     gradings then fail with {@link JudgeGrader#NOT_CONFIGURED})
   */
  public Graders(BwrapSandbox sandbox, JudgeModel judge) {
    for (Grader g :
        List.of(
            new ExactGrader(),
            new NumericGrader(),
            new ChoiceGrader(),
            new RegexGrader(),
            new ChallengeGrader(sandbox),
            new CodeGrader(sandbox),
            new JudgeGrader(judge))) {
      byType.put(g.type(), g);
    }
  }

  public Grader forType(String type) {
    Grader g = byType.get(type);
    if (g == null) {
      throw new IllegalArgumentException(
          "unknown grader type '" + type + "'; known types: " + byType.keySet());
    }
    return g;
  }

  /**
   * Checks a grader reference of a dataset line.
   *
   * @throws IllegalArgumentException for an unknown type or options/target that do not fit it
   */
  public void validate(String type, String optionsJson, String targetJson) {
    forType(type).validate(optionsJson, targetJson);
  }

  public java.util.Set<String> types() {
    return java.util.Collections.unmodifiableSet(byType.keySet());
  }
}
