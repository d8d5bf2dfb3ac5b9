package dev.moa.graders;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.databind.JsonNode;

/** Scores 1 when option {@code pattern} (with optional {@code flags} of i/s/m) finds a match. */
public final class RegexGrader implements Grader {
  private static final Set<String> OPTIONS = Set.of("pattern", "flags");

  @Override
  public String type() {
    return "regex";
  }

  @Override
  public GradeResult grade(String answer, String optionsJson, String targetJson) {
    JsonNode options = Json.options(optionsJson, OPTIONS);
    JsonNode p = options.get("pattern");
    if (p == null || !p.isString() || p.asString().isEmpty()) {
      throw new IllegalArgumentException(
          "option 'pattern' is required and must be a non-empty string, got: " + p);
    }
    int flags = 0;
    JsonNode f = options.get("flags");
    if (f != null && !f.isNull()) {
      if (!f.isString()) {
        throw new IllegalArgumentException("option 'flags' must be a string, got: " + f);
      }
      for (char c : f.asString().toCharArray()) {
        flags |=
            switch (c) {
              case 'i' -> Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
              case 's' -> Pattern.DOTALL;
              case 'm' -> Pattern.MULTILINE;
              default ->
                  throw new IllegalArgumentException(
                      "option 'flags' may contain only i, s, m; got: " + f);
            };
      }
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(p.asString(), flags);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("option 'pattern' is not a valid regex: " + p, e);
    }
    Matcher m = pattern.matcher(answer == null ? "" : answer);
    boolean found = m.find();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pattern", p.asString());
    details.put("matched", found ? m.group() : null);
    return new GradeResult.Scored(found ? 1 : 0, 1, details);
  }
}
