package dev.moa.eval;

import java.time.Duration;
import java.util.Locale;

/** Pure formatting of run progress for the CLI: a terminal bar and a plain log line. */
public final class ProgressLine {

  private static final int MIN_BAR = 10;

  private ProgressLine() {}

  /**
   * A progress bar that fits {@code width} columns, e.g. {@code [#####.....] 512/2000 failed 3 ETA
   * 0:41 1,234 tok/s}. Parts are dropped from the right (tok/s, then ETA, then failed), then the
   * bar itself, when the width is too small; the counts always stay.
   *
   * @param done samples finished (failed ones included)
   * @param total samples in the run
   * @param failed samples that failed
   * @param elapsed time since the run started
   * @param tokens tokens used so far
   * @param width terminal columns available
   */
  public static String bar(
      long done, long total, long failed, Duration elapsed, long tokens, int width) {
    String counts = counts(done, total);
    String failedPart = "failed " + group(failed);
    String eta = "ETA " + eta(done, total, elapsed);
    String rate = group(tokensPerSecond(tokens, elapsed)) + " tok/s";
    String[] optional = {failedPart, eta, rate};
    for (int keep = optional.length; keep >= 0; keep--) {
      StringBuilder tail = new StringBuilder(counts);
      for (int i = 0; i < keep; i++) {
        tail.append(i == 0 ? " " : "  ").append(optional[i]);
      }
      int barWidth = width - tail.length() - 3; // "[" + "] " + bar
      if (barWidth >= MIN_BAR) {
        return "[" + fill(done, total, barWidth) + "] " + tail;
      }
    }
    String tail = counts + " " + failedPart;
    return tail.length() <= width ? tail : counts;
  }

  /**
   * The same facts for a log: {@code progress 512/2000 (25.6%) failed 3 elapsed 0:14 ETA 0:41
   * tokens 17,276 (1,234 tok/s)}.
   */
  public static String plain(long done, long total, long failed, Duration elapsed, long tokens) {
    return "progress "
        + counts(done, total)
        + " ("
        + String.format(Locale.ROOT, "%.1f", percent(done, total))
        + "%) failed "
        + group(failed)
        + " elapsed "
        + clock(elapsed.toSeconds())
        + " ETA "
        + eta(done, total, elapsed)
        + " tokens "
        + group(tokens)
        + " ("
        + group(tokensPerSecond(tokens, elapsed))
        + " tok/s)";
  }

  private static String counts(long done, long total) {
    return done + "/" + total;
  }

  private static double percent(long done, long total) {
    if (total <= 0) {
      return done > 0 ? 100 : 0;
    }
    return 100.0 * Math.min(done, total) / total;
  }

  private static String fill(long done, long total, int width) {
    int filled = (int) Math.floor(percent(done, total) / 100.0 * width);
    return "#".repeat(filled) + ".".repeat(width - filled);
  }

  /** Remaining time at the average pace so far; {@code --:--} until something is done. */
  static String eta(long done, long total, Duration elapsed) {
    if (done <= 0) {
      return "--:--";
    }
    long remaining = Math.max(0, total - done);
    long seconds = (long) Math.ceil(elapsed.toMillis() / 1000.0 / done * remaining);
    return clock(seconds);
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  static String clock(long seconds) {
    long s = Math.max(0, seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  private static long tokensPerSecond(long tokens, Duration elapsed) {
    long ms = elapsed.toMillis();
    return ms <= 0 ? 0 : Math.round(tokens * 1000.0 / ms);
  }

  private static String group(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }
}
