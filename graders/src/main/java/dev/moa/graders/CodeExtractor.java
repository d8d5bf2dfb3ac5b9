package dev.moa.graders;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Extracts Python code: the first ```python / bare ``` block, else the text from {@code def f}. */
public final class CodeExtractor {
  private static final Pattern FENCE =
      Pattern.compile("```[ \\t]*(python3?|py)?[ \\t]*\\r?\\n(.*?)```", Pattern.DOTALL);

  private CodeExtractor() {}

  public static Optional<String> extract(String answer, String function) {
    if (answer == null) {
      return Optional.empty();
    }
    Matcher m = FENCE.matcher(answer);
    if (m.find()) {
      return Optional.of(m.group(2));
    }
    if (function != null) {
      Matcher d = Pattern.compile("def\\s+" + Pattern.quote(function) + "\\b").matcher(answer);
      if (d.find()) {
        return Optional.of(answer.substring(d.start()));
      }
    }
    return Optional.empty();
  }
}
