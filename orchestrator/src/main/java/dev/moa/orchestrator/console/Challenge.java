package dev.moa.orchestrator.console;

import dev.moa.graders.BwrapSandbox;
import dev.moa.graders.ChallengeGrader;
import dev.moa.graders.GradeResult;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.request.RequestFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The console's challenge: the 120-point {@code calculate_user_metrics} task (the same prompt as
 * the demo dataset's challenge sample), graded by the graders library's {@link ChallengeGrader} in
 * a bubblewrap sandbox, each graded attempt added to the {@link Leaderboard}.
 */
public final class Challenge implements AutoCloseable {

  public static final String PROMPT = readPrompt();

  /** A graded attempt: the grade's details (gate, checks, total, letter) and the stored attempt. */
  public record Graded(Map<String, Object> details, Leaderboard.Attempt attempt) {}

  /** Grading failed (no sandbox): not a zero score, and not put on the board. */
  public static final class GradingFailed extends Exception {
    private static final long serialVersionUID = 1L;

    GradingFailed(String reason) {
      super(reason);
    }
  }

  private final Supplier<BwrapSandbox> sandboxes;
  private final Leaderboard board;
  private final Clock clock;
  private BwrapSandbox sandbox;
  private ChallengeGrader grader;

  /** The sandbox is started on the first grading, not with the service. */
  public Challenge(Supplier<BwrapSandbox> sandboxes, Leaderboard board, Clock clock) {
    this.sandboxes = sandboxes;
    this.board = board;
    this.clock = clock;
  }

  public Leaderboard board() {
    return board;
  }

  public Graded grade(MoaConfig config, String answer, long tokens, long latencyMs)
      throws GradingFailed {
    GradeResult result = grader().grade(answer, null, null);
    if (result instanceof GradeResult.Failed f) {
      throw new GradingFailed(f.reason());
    }
    GradeResult.Scored scored = (GradeResult.Scored) result;
    Map<String, Object> details = scored.details();
    @SuppressWarnings("unchecked")
    Map<String, Object> checks =
        details.get("checks") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    Leaderboard.Attempt attempt =
        new Leaderboard.Attempt(
            config.name(),
            RequestFactory.configHash(config),
            scored.score(),
            ChallengeGrader.letter(scored.score()),
            checks,
            tokens,
            latencyMs,
            clock.millis());
    board.add(attempt);
    return new Graded(details, attempt);
  }

  private synchronized ChallengeGrader grader() {
    if (grader == null) {
      sandbox = sandboxes.get();
      grader = new ChallengeGrader(sandbox);
    }
    return grader;
  }

  private static String readPrompt() {
    try (InputStream in = Challenge.class.getResourceAsStream("challenge-prompt.txt")) {
      if (in == null) {
        throw new IllegalStateException("missing resource challenge-prompt.txt");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    if (sandbox != null) {
      sandbox.close();
    }
  }
}
