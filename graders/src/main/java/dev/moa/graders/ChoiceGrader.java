package dev.moa.graders;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Extracts a multiple-choice letter A–E and compares it (case-insensitively) to the target. */
public final class ChoiceGrader implements Grader {
  private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.MULTILINE;
  private static final List<Map.Entry<String, Pattern>> PATTERNS =
      List.of(
          Map.entry(
              "answer_phrase",
              Pattern.compile(
                  "answer(?:\\s+is)?\\s*[:=]?\\s*\\(?([A-E])(?=\\)?\\s*(?:$|[.,;:!]))", FLAGS)),
          Map.entry("parenthesized", Pattern.compile("\\(([A-E])\\)", FLAGS)),
          Map.entry("line_start", Pattern.compile("^\\s*([A-E])\\)", FLAGS)),
          Map.entry("lone_letter", Pattern.compile("\\A\\s*([A-E])\\s*[.)]?\\s*\\z", FLAGS)));

  /** Extracted letter and how it was found. */
  record Extraction(String letter, String method) {}

  @Override
  public String type() {
    return "choice";
  }

  /** The target letter; the same checks for {@link #validate} and {@link #grade}. */
  private static String target(String optionsJson, String targetJson) {
    Json.options(optionsJson, Set.of());
    JsonNode t = Json.parseTarget(targetJson);
    String target = t.isString() ? t.asString().strip().toUpperCase(Locale.ROOT) : "";
    if (!target.matches("[A-E]")) {
      throw new IllegalArgumentException("choice target must be a letter A-E, got: " + targetJson);
    }
    return target;
  }

  @Override
  public void validate(String optionsJson, String targetJson) {
    target(optionsJson, targetJson);
  }

  @Override
  public GradeResult grade(String answer, String optionsJson, String targetJson) {
    String target = target(optionsJson, targetJson);
    Extraction e = extract(answer == null ? "" : answer);
    boolean ok = target.equals(e.letter());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("extracted", e.letter());
    details.put("extraction", e.method());
    details.put("target", target);
    return new GradeResult.Scored(ok ? 1 : 0, 1, details);
  }

  static Extraction extract(String text) {
    for (Map.Entry<String, Pattern> p : PATTERNS) {
      Matcher m = p.getValue().matcher(text);
      String last = null;
      while (m.find()) {
        last = m.group(1);
      }
      if (last != null) {
        return new Extraction(last.toUpperCase(Locale.ROOT), p.getKey());
      }
    }
    return new Extraction(null, "none");
  }
}
