package dev.moa.orchestrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderboardTest {

  @TempDir Path dir;

  private static Leaderboard.Attempt attempt(String config, String sha, double total, long tokens) {
    return new Leaderboard.Attempt(config, sha, total, "B", Map.of(), tokens, 100, 1);
  }

  @Test
  void eachConfigurationShowsItsBestAttemptRankedByTotalThenTokens() {
    Leaderboard board = new Leaderboard(dir.resolve("sub/board.jsonl"));
    board.add(attempt("a", "1", 80, 500));
    board.add(attempt("a", "1", 100, 900));
    board.add(attempt("b", "2", 100, 300));
    board.add(attempt("a", "3", 10, 10));

    var entries = board.board();

    assertThat(entries)
        .extracting(e -> e.best().config() + "@" + e.best().configSha256())
        .containsExactly("b@2", "a@1", "a@3");
    assertThat(entries.get(1).attempts()).isEqualTo(2);
    assertThat(entries.get(1).best().total()).isEqualTo(100);
    assertThat(entries).extracting(Leaderboard.Entry::rank).containsExactly(1, 2, 3);
  }

  @Test
  void theBoardSurvivesARestartAndSkipsATornLastLine() throws Exception {
    Path file = dir.resolve("board.jsonl");
    new Leaderboard(file).add(attempt("a", "1", 50, 5));
    Files.writeString(file, "{\"config\": \"b\", \"tot", StandardOpenOption.APPEND);

    assertThat(new Leaderboard(file).attempts()).hasSize(1);
  }
}
