package dev.moa.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.springframework.boot.convert.DurationStyle;

/** Duration options such as {@code --latency 2s}. */
public final class Durations {

  private Durations() {}

  /** Parses {@code text} (2s, 500ms, PT1M, ...) or fails with a usage error naming the option. */
  public static Duration parse(String option, String text) {
    try {
      return DurationStyle.detectAndParse(text);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new UserError(UserError.USAGE, option + ": '" + text + "' is not a duration like 2s");
    }
  }
}
