package dev.moa.graders;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Extracts a final numeric answer (last {@code \boxed{...}}, else "Answer: ..."/"answer is ...",
 * else the last number) and compares it to the target with absolute/relative tolerance.
 */
public final class NumericGrader implements Grader {
  private static final Set<String> OPTIONS = Set.of("abs_tol", "rel_tol");
  static final Pattern NUMBER =
      Pattern.compile(
          "[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|[-+]?\\.\\d+(?:[eE][-+]?\\d+)?");
  private static final Pattern ANSWER =
      Pattern.compile("answer\\s*(?:is|:|=)\\s*:?", Pattern.CASE_INSENSITIVE);

  /** Extracted value and how it was found. */
  record Extraction(Double value, String method, String text) {}

  @Override
  public String type() {
    return "numeric";
  }

  /** Parsed options and target; the same checks for {@link #validate} and {@link #grade}. */
  private record Settings(double absTol, double relTol, double target) {}

  private static Settings settings(String optionsJson, String targetJson) {
    JsonNode options = Json.options(optionsJson, OPTIONS);
    double absTol = Json.nonNegative(options, "abs_tol", 1e-6);
    double relTol = Json.nonNegative(options, "rel_tol", 0);
    JsonNode targetNode = Json.parseTarget(targetJson);
    Double target = null;
    if (targetNode.isNumber()) {
      target = targetNode.doubleValue();
    } else if (targetNode.isString()) {
      target = parseNumber(targetNode.asString());
    }
    if (target == null || !Double.isFinite(target)) {
      throw new IllegalArgumentException("numeric target must be a number, got: " + targetJson);
    }
    return new Settings(absTol, relTol, target);
  }

  @Override
  public void validate(String optionsJson, String targetJson) {
    settings(optionsJson, targetJson);
  }

  @Override
  public GradeResult grade(String answer, String optionsJson, String targetJson) {
    Settings s = settings(optionsJson, targetJson);
    double absTol = s.absTol();
    double relTol = s.relTol();
    double target = s.target();
    Extraction e = extract(answer == null ? "" : answer);
    boolean ok =
        e.value() != null
            && Math.abs(e.value() - target) <= Math.max(absTol, relTol * Math.abs(target));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("extracted", e.value());
    details.put("extraction", e.method());
    details.put("extracted_text", e.text());
    details.put("target", target);
    details.put("abs_tol", absTol);
    details.put("rel_tol", relTol);
    return new GradeResult.Scored(ok ? 1 : 0, 1, details);
  }

  static Extraction extract(String text) {
    int boxed = text.lastIndexOf("\\boxed{");
    if (boxed >= 0) {
      int start = boxed + "\\boxed{".length();
      int depth = 1;
      int i = start;
      while (i < text.length() && depth > 0) {
        char c = text.charAt(i);
        if (c == '{') {
          depth++;
        } else if (c == '}') {
          depth--;
        }
        i++;
      }
      String content = text.substring(start, depth == 0 ? i - 1 : text.length());
      Double v = firstNumber(content);
      if (v != null) {
        return new Extraction(v, "boxed", content);
      }
    }
    Matcher m = ANSWER.matcher(text);
    int last = -1;
    while (m.find()) {
      last = m.end();
    }
    if (last >= 0) {
      String rest = text.substring(last);
      int nl = rest.indexOf('\n');
      String line = nl >= 0 ? rest.substring(0, nl) : rest;
      Double v = firstNumber(line);
      if (v != null) {
        return new Extraction(v, "answer_phrase", line.strip());
      }
    }
    Matcher n = NUMBER.matcher(text);
    String lastNumber = null;
    while (n.find()) {
      lastNumber = n.group();
    }
    if (lastNumber != null) {
      return new Extraction(parseNumber(lastNumber), "last_number", lastNumber);
    }
    return new Extraction(null, "none", null);
  }

  private static Double firstNumber(String s) {
    Matcher m = NUMBER.matcher(s);
    return m.find() ? parseNumber(m.group()) : null;
  }

  static Double parseNumber(String s) {
    String t = s.strip().replace(",", "");
    try {
      return new BigDecimal(t.startsWith("+") ? t.substring(1) : t).doubleValue();
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
