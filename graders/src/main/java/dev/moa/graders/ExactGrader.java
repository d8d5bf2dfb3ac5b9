package dev.moa.graders;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Scores 1 when the normalised answer equals the normalised target string, else 0. */
public final class ExactGrader implements Grader {
  private static final Set<String> OPTIONS =
      Set.of("case_sensitive", "normalize_whitespace", "strip_punctuation", "strip_articles");
  private static final Pattern PUNCT = Pattern.compile("\\p{P}+");
  private static final Pattern ARTICLES =
      Pattern.compile("\\b(?:a|an|the)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern SPACE = Pattern.compile("\\s+");

  @Override
  public String type() {
    return "exact";
  }

  /** Parsed options and target; the same checks for {@link #validate} and {@link #grade}. */
  private record Settings(
      boolean caseSensitive,
      boolean whitespace,
      boolean punctuation,
      boolean articles,
      String target) {}

  private static Settings settings(String optionsJson, String targetJson) {
    JsonNode options = Json.options(optionsJson, OPTIONS);
    boolean caseSensitive = Json.bool(options, "case_sensitive", false);
    boolean whitespace = Json.bool(options, "normalize_whitespace", true);
    boolean punctuation = Json.bool(options, "strip_punctuation", false);
    boolean articles = Json.bool(options, "strip_articles", false);
    JsonNode target = Json.parseTarget(targetJson);
    if (!target.isString() && !target.isNumber()) {
      throw new IllegalArgumentException(
          "exact target must be a JSON string or number, got: " + targetJson);
    }
    return new Settings(caseSensitive, whitespace, punctuation, articles, target.asString());
  }

  @Override
  public void validate(String optionsJson, String targetJson) {
    settings(optionsJson, targetJson);
  }

  @Override
  public GradeResult grade(String answer, String optionsJson, String targetJson) {
    Settings s = settings(optionsJson, targetJson);
    String a =
        normalize(
            answer == null ? "" : answer,
            s.caseSensitive(),
            s.whitespace(),
            s.punctuation(),
            s.articles());
    String t =
        normalize(s.target(), s.caseSensitive(), s.whitespace(), s.punctuation(), s.articles());
    boolean match = a.equals(t);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("normalized_answer", a);
    details.put("normalized_target", t);
    details.put("match", match);
    return new GradeResult.Scored(match ? 1 : 0, 1, details);
  }

  static String normalize(
      String s, boolean caseSensitive, boolean whitespace, boolean punctuation, boolean articles) {
    String r = caseSensitive ? s : s.toLowerCase(Locale.ROOT);
    if (punctuation) {
      r = PUNCT.matcher(r).replaceAll("");
    }
    if (articles) {
      r = ARTICLES.matcher(r).replaceAll(" ");
    }
    if (whitespace || articles) {
      r = SPACE.matcher(r).replaceAll(" ").strip();
    }
    return r;
  }
}
