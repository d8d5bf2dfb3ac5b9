package dev.moa.orchestrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.graders.BwrapSandbox;
import dev.moa.graders.ChallengeGrader;
import dev.moa.protocol.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's challenge grading in a real bubblewrap sandbox. */
class ChallengeIT {

  @TempDir Path dir;

  @Test
  void theReferenceSolutionScores120AndLandsOnTheBoard() throws Exception {
    assertThat(Files.isExecutable(Path.of("/usr/bin/bwrap")))
        .as("bubblewrap (/usr/bin/bwrap) is needed: apt-get install bubblewrap")
        .isTrue();
    Leaderboard board = new Leaderboard(dir.resolve("board.jsonl"));
    Clock clock = Clock.fixed(Instant.ofEpochMilli(42), ZoneOffset.UTC);
    try (Challenge challenge = new Challenge(BwrapSandbox::new, board, clock)) {
      String answer = "```python\n" + ChallengeGrader.referenceSolution() + "\n```";
      Challenge.Graded graded = challenge.grade(ConfigLoader.defaultConfig(), answer, 1234, 5678);

      assertThat(graded.attempt().total()).isEqualTo(120);
      assertThat(graded.attempt().letter()).isEqualTo(ChallengeGrader.letter(120));
      assertThat(graded.attempt().checks()).isNotEmpty();
      assertThat(graded.attempt().atMs()).isEqualTo(42);
      var bad = challenge.grade(ConfigLoader.defaultConfig(), "no code here", 1, 1);
      assertThat(bad.attempt().total()).isZero();
    }
    assertThat(board.board()).hasSize(1);
    assertThat(board.board().get(0).attempts()).isEqualTo(2);
    assertThat(board.board().get(0).best().tokens()).isEqualTo(1234);
  }
}
