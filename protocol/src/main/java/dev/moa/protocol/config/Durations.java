package dev.moa.protocol.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config's duration syntax: {@code 500ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 1m30s},
 * ISO-8601.
 */
final class Durations {

  static final String EXAMPLES = "e.g. 90s, 5m, 1h, 500ms, 1m30s or ISO-8601 PT5M";

  private static final Pattern SIMPLE = Pattern.compile("(?:[0-9]+(?:ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Durations() {}

  /**
   * Parses a non-negative duration.
   *
   * @throws IllegalArgumentException with a message saying why (without the value)
   */
  static Duration parse(String text) {
    String s = text.strip();
    try {
      if (SIMPLE.matcher(s).matches()) {
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(s);
        while (part.find()) {
          long amount = Long.parseLong(part.group(1));
          total =
              total.plus(
                  switch (part.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                  });
        }
        return total;
      }
      if (s.startsWith("P") || s.startsWith("p") || s.startsWith("-P") || s.startsWith("-p")) {
        Duration duration = Duration.parse(s);
        if (duration.isNegative()) {
          throw new IllegalArgumentException("is negative");
        }
        return duration;
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("is too long");
    } catch (DateTimeParseException e) {
      // falls through to the generic message
    }
    throw new IllegalArgumentException("is not a duration (" + EXAMPLES + ")");
  }

  /** The shortest text {@link #parse} reads back as the same duration. */
  static String format(Duration duration) {
    if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
      return duration.toString();
    }
    long millis = duration.toMillis();
    if (millis == 0) {
      return "0s";
    }
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1_000 == 0) {
      return millis / 1_000 + "s";
    }
    return millis + "ms";
  }
}
