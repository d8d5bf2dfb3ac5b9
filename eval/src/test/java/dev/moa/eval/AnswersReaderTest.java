package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswersReaderTest {
  @TempDir Path dir;

  @Test
  void readsAnswersInFileOrderAndCollectsBadLines() throws IOException {
    Path p = dir.resolve("answers.jsonl");
    Files.writeString(
        p,
        String.join(
            "\n",
            "{\"id\": \"z\", \"answer\": \"last letter\"}",
            "{\"id\": \"a\", \"answer\": \"\"}",
            "",
            "not json",
            "{\"id\": \"z\", \"answer\": \"again\"}",
            "{\"id\": \"n\", \"answer\": 42}",
            "{\"answer\": \"x\"}",
            "{\"id\": \"m\"}",
            "{\"id\": \"k\", \"answer\": \"x\", \"score\": 1}",
            "\"just a string\"",
            "{\"id\": \"b\", \"answer\": \"<b>bold</b>\"}"));

    Answers answers = AnswersReader.read(p);

    assertThat(answers.byId().keySet()).containsExactly("z", "a", "b");
    assertThat(answers.byId()).containsEntry("z", "last letter").containsEntry("b", "<b>bold</b>");
    assertThat(answers.badLines()).extracting(BadLine::line).containsExactly(4, 5, 6, 7, 8, 9, 10);
    assertThat(answers.badLines().get(0).reason())
        .startsWith("invalid JSON")
        .endsWith("; line: not json");
    assertThat(answers.badLines().get(1))
        .isEqualTo(new BadLine(5, "z", "duplicate id 'z' (first on line 1)"));
    assertThat(answers.badLines().get(2))
        .isEqualTo(new BadLine(6, "n", "field 'answer' must be a string, got: 42"));
    assertThat(answers.badLines().get(3)).isEqualTo(new BadLine(7, null, "missing field 'id'"));
    assertThat(answers.badLines().get(4)).isEqualTo(new BadLine(8, "m", "missing field 'answer'"));
    assertThat(answers.badLines().get(5))
        .isEqualTo(new BadLine(9, "k", "unknown field 'score' = 1 (known: id, answer)"));
    assertThat(answers.badLines().get(6).reason())
        .isEqualTo("line is not a JSON object, got string: \"just a string\"");
  }

  @Test
  void missingFileThrowsNamingThePath() {
    Path missing = dir.resolve("nope.jsonl");
    assertThatThrownBy(() -> AnswersReader.read(missing))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString());
  }
}
