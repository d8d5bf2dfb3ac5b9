package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.avro.GradeStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFileTest {
  @TempDir Path dir;

  private static ResultLine line(String id, int lineNo) {
    return ResultLine.of(
        Fixtures.sample(id, lineNo),
        Fixtures.answer(
            "req-" + id,
            "answer " + id,
            List.of(List.of(Fixtures.output("a", "m", 0, 0, true, 100))),
            Fixtures.output("agg", "m", 1, 0, true, 50),
            200),
        Fixtures.grade("exact", GradeStatus.GRADED, 1, 1, null));
  }

  @Test
  void createsAppendsOneFlushedLinePerIdAndRefusesDuplicates() throws IOException {
    Path p = dir.resolve("run/results.jsonl");
    try (ResultsFile f = ResultsFile.open(p)) {
      assertThat(f.existing()).isEmpty();
      assertThat(f.append(line("a", 1))).isTrue();
      assertThat(f.append(line("b", 2))).isTrue();
      // Visible to another reader before close: each line is written through.
      assertThat(Files.readAllLines(p)).hasSize(2);
      long size = Files.size(p);
      assertThat(f.append(line("a", 1))).isFalse();
      assertThat(Files.size(p)).as("nothing written for a duplicate").isEqualTo(size);
      assertThat(f.all()).extracting(ResultLine::id).containsExactly("a", "b");
    }
    List<String> lines = Files.readAllLines(p);
    assertThat(lines).hasSize(2);
    assertThat(ResultLine.parse(lines.get(1))).isEqualTo(line("b", 2));
  }

  @Test
  void reopeningResumesWithTheExistingLines() throws IOException {
    Path p = dir.resolve("results.jsonl");
    try (ResultsFile f = ResultsFile.open(p)) {
      f.append(line("a", 1));
      f.append(line("b", 2));
    }
    try (ResultsFile f = ResultsFile.open(p)) {
      assertThat(f.existing().keySet()).containsExactly("a", "b");
      assertThat(f.existing().get("b")).isEqualTo(line("b", 2));
      assertThat(f.append(line("b", 2))).isFalse();
      assertThat(f.append(line("c", 3))).isTrue();
      assertThat(f.all()).extracting(ResultLine::id).containsExactly("a", "b", "c");
      assertThat(f.existing()).hasSize(2);
    }
    assertThat(ResultsFile.read(p)).extracting(ResultLine::id).containsExactly("a", "b", "c");
  }

  @Test
  void aTruncatedLastLineIsDroppedAndTheFileCutBackToTheLastGoodLine() throws IOException {
    Path p = dir.resolve("results.jsonl");
    String a = line("a", 1).toJson() + "\n";
    String b = line("b", 2).toJson();
    Files.writeString(p, a + b.substring(0, b.length() - 30), StandardCharsets.UTF_8);

    assertThat(ResultsFile.read(p)).extracting(ResultLine::id).containsExactly("a");
    try (ResultsFile f = ResultsFile.open(p)) {
      assertThat(f.existing().keySet()).containsExactly("a");
      assertThat(Files.readString(p)).isEqualTo(a);
      assertThat(f.append(line("b", 2))).isTrue();
    }
    assertThat(Files.readAllLines(p)).hasSize(2);
    assertThat(ResultsFile.read(p)).extracting(ResultLine::id).containsExactly("a", "b");
  }

  @Test
  void aTruncatedLastLineCutInsideAMultiByteCharacterIsDropped() throws IOException {
    Path p = dir.resolve("results.jsonl");
    byte[] a = (line("a", 1).toJson() + "\n").getBytes(StandardCharsets.UTF_8);
    ResultLine withEuro =
        new ResultLine(
            "e",
            2,
            "r",
            "SUCCEEDED",
            "costs 5 €",
            null,
            0,
            0,
            1,
            List.of(),
            null,
            List.of(),
            false,
            0);
    byte[] e = withEuro.toJson().getBytes(StandardCharsets.UTF_8);
    int cut = new String(e, StandardCharsets.UTF_8).indexOf('€');
    cut = withEuro.toJson().substring(0, cut).getBytes(StandardCharsets.UTF_8).length + 1;
    byte[] both = new byte[a.length + cut];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(e, 0, both, a.length, cut);
    Files.write(p, both);
    try (ResultsFile f = ResultsFile.open(p)) {
      assertThat(f.existing().keySet()).containsExactly("a");
    }
    assertThat(Files.size(p)).isEqualTo(a.length);
  }

  @Test
  void aCompleteLastLineWithoutNewlineIsKeptAndTerminated() throws IOException {
    Path p = dir.resolve("results.jsonl");
    Files.writeString(p, line("a", 1).toJson());
    try (ResultsFile f = ResultsFile.open(p)) {
      assertThat(f.existing().keySet()).containsExactly("a");
      f.append(line("b", 2));
    }
    assertThat(Files.readAllLines(p)).hasSize(2);
    assertThat(ResultsFile.read(p)).extracting(ResultLine::id).containsExactly("a", "b");
  }

  @Test
  void aBadMiddleLineIsAnErrorNamingTheLineAndTheFileIsLeftAlone() throws IOException {
    Path p = dir.resolve("results.jsonl");
    String content =
        line("a", 1).toJson() + "\n{\"id\": \"broken\"}\n" + line("c", 3).toJson() + "\n";
    Files.writeString(p, content);
    assertThatThrownBy(() -> ResultsFile.open(p))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("line 2")
        .hasMessageContaining("field 'line'");
    assertThat(Files.readString(p)).isEqualTo(content);
    assertThatThrownBy(() -> ResultsFile.read(p)).hasMessageContaining("line 2");
    // The lock was released: once repaired, the file opens.
    Files.writeString(p, content.replace("{\"id\": \"broken\"}\n", ""));
    try (ResultsFile f = ResultsFile.open(p)) {
      assertThat(f.existing().keySet()).containsExactly("a", "c");
    }
  }

  @Test
  void blankLinesAreIgnoredAndTheFirstLineOfAnIdWins() throws IOException {
    Path p = dir.resolve("results.jsonl");
    ResultLine first = line("a", 1);
    ResultLine second =
        new ResultLine(
            "a",
            1,
            "other",
            "FAILED",
            "",
            null,
            0,
            0,
            0,
            List.of(),
            null,
            List.of("x: y"),
            false,
            0);
    Files.writeString(p, first.toJson() + "\n\n" + second.toJson() + "\n");
    try (ResultsFile f = ResultsFile.open(p)) {
      assertThat(f.existing().get("a")).isEqualTo(first);
      assertThat(f.all()).containsExactly(first);
    }
  }

  @Test
  void aSecondWriterIsRefusedWhileTheFileIsOpen() throws IOException {
    Path p = dir.resolve("results.jsonl");
    try (ResultsFile f = ResultsFile.open(p)) {
      assertThatThrownBy(() -> ResultsFile.open(p))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("already open");
      f.append(line("a", 1));
    }
    try (ResultsFile again = ResultsFile.open(p)) {
      assertThat(again.existing()).containsKey("a");
    }
  }

  @Test
  void appendAfterCloseIsAnError() throws IOException {
    ResultsFile f = ResultsFile.open(dir.resolve("results.jsonl"));
    f.close();
    f.close();
    assertThatThrownBy(() -> f.append(line("a", 1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void concurrentAppendsWriteEveryLineWholeAndOnce() throws Exception {
    Path p = dir.resolve("results.jsonl");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (ResultsFile f = ResultsFile.open(p)) {
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        String id = "s" + (i % 200);
        int n = i % 200;
        futures.add(pool.submit(() -> f.append(line(id, n))));
      }
      int written = 0;
      for (Future<Boolean> fu : futures) {
        written += fu.get() ? 1 : 0;
      }
      assertThat(written).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
    List<ResultLine> back = ResultsFile.read(p);
    assertThat(back).hasSize(200);
    assertThat(Files.readAllLines(p)).hasSize(200);
  }
}
