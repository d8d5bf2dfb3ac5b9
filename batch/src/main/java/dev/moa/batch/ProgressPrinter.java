package dev.moa.batch;

import dev.moa.eval.ProgressLine;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows a run's progress on stderr: a bar redrawn in place on a terminal, a plain line every ten
 * seconds otherwise (logs, CI), nothing when quiet.
 */
public final class ProgressPrinter implements RunEngine.ProgressSink {

  /** How progress is shown. */
  public enum Mode {
    BAR,
    PLAIN,
    NONE;

    /** A bar on a terminal, plain lines when output goes to a file or pipe. */
    public static Mode auto() {
      return System.console() != null ? BAR : PLAIN;
    }
  }

  private static final long PLAIN_EVERY_MS = 10_000;

  private final PrintStream out;
  private final Mode mode;
  private final int width;
  private long lastPlainMs = -PLAIN_EVERY_MS;

  public ProgressPrinter(PrintStream out, Mode mode) {
    this.out = out;
    this.mode = mode;
    this.width = terminalWidth();
  }

  @Override
  public void update(RunEngine.Counts c, Duration elapsed, boolean finished) {
    switch (mode) {
      case BAR -> {
        out.print(
            "\r"
                + ProgressLine.bar(c.done(), c.total(), c.failed(), elapsed, c.tokens(), width - 1)
                + (finished ? "\n" : ""));
        out.flush();
      }
      case PLAIN -> {
        if (finished || elapsed.toMillis() - lastPlainMs >= PLAIN_EVERY_MS) {
          out.println(
              "moa: "
                  + ProgressLine.plain(c.done(), c.total(), c.failed(), elapsed, c.tokens())
                  + (c.cancelled() ? " (cancelling)" : ""));
          lastPlainMs = elapsed.toMillis();
        }
      }
      case NONE -> {}
    }
  }

  private static int terminalWidth() {
    try {
      int cols = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100").strip());
      return Math.max(40, Math.min(cols, 200));
    } catch (NumberFormatException e) {
      return 100;
    }
  }
}
