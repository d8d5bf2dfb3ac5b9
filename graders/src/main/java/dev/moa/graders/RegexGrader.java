package dev.moa.graders;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.databind.JsonNode;

/**
 * Scores 1 when option {@code pattern} (with optional {@code flags} of i/s/m) finds a match. A
 * match that runs longer than {@link #MATCH_BUDGET_MILLIS} (catastrophic backtracking on a long
 * answer) is a grading error, not a stalled worker.
 */
public final class RegexGrader implements Grader {
  private static final Set<String> OPTIONS = Set.of("pattern", "flags");
  static final long MATCH_BUDGET_MILLIS = 2_000;

  @Override
  public String type() {
    return "regex";
  }

  /** The compiled pattern; the same checks for {@link #validate} and {@link #grade}. */
  private static Pattern pattern(String optionsJson) {
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
    try {
      return Pattern.compile(p.asString(), flags);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("option 'pattern' is not a valid regex: " + p, e);
    }
  }

  @Override
  public void validate(String optionsJson, String targetJson) {
    pattern(optionsJson);
  }

  @Override
  public GradeResult grade(String answer, String optionsJson, String targetJson) {
    Pattern pattern = pattern(optionsJson);
    String text = answer == null ? "" : answer;
    Matcher m =
        pattern.matcher(new Deadline(text, System.nanoTime() + MATCH_BUDGET_MILLIS * 1_000_000L));
    boolean found;
    try {
      found = m.find();
    } catch (Deadline.Exceeded e) {
      return new GradeResult.Failed(
          "regex " + pattern + " did not finish within " + MATCH_BUDGET_MILLIS + " ms");
    } catch (StackOverflowError e) {
      return new GradeResult.Failed("regex " + pattern + " overflowed the stack on this answer");
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pattern", pattern.pattern());
    details.put("matched", found ? m.group() : null);
    return new GradeResult.Scored(found ? 1 : 0, 1, details);
  }

  /**
   * The answer as the matcher sees it: every 1024th character read checks the time budget, so a
   * catastrophically backtracking pattern ends with {@link Exceeded} instead of running on.
   */
  static final class Deadline implements CharSequence {

    /** The time budget is spent. */
    static final class Exceeded extends RuntimeException {
      Exceeded() {
        super(null, null, false, false);
      }
    }

    private final String text;
    private final long deadlineNanos;
    private final int start;
    private final int end;
    private final int[] reads;

    Deadline(String text, long deadlineNanos) {
      this(text, deadlineNanos, 0, text.length(), new int[1]);
    }

    private Deadline(String text, long deadlineNanos, int start, int end, int[] reads) {
      this.text = text;
      this.deadlineNanos = deadlineNanos;
      this.start = start;
      this.end = end;
      this.reads = reads;
    }

    @Override
    public int length() {
      return end - start;
    }

    @Override
    public char charAt(int index) {
      if ((++reads[0] & 0x3FF) == 0 && System.nanoTime() > deadlineNanos) {
        throw new Exceeded();
      }
      return text.charAt(start + index);
    }

    @Override
    public CharSequence subSequence(int from, int to) {
      return new Deadline(text, deadlineNanos, start + from, start + to, reads);
    }

    @Override
    public String toString() {
      return text.substring(start, end);
    }
  }
}
