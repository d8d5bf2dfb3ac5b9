package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.graders.Graders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The malformed-dataset-line corpus ({@code src/test/resources/corpus/dataset-lines.jsonl}): every
 * line but the one good line is bad, and {@code dataset-lines.expected.tsv} says for each bad line
 * (by number) what its reason must contain: the field and the bad value.
 */
class DatasetCorpusTest {

  static final Path CORPUS = Path.of("src/test/resources/corpus/dataset-lines.jsonl");
  static final Path EXPECTED = Path.of("src/test/resources/corpus/dataset-lines.expected.tsv");

  @Test
  void everyBadLineIsReportedWithItsLineNumberFieldAndValueAndTheGoodLineStillReads()
      throws IOException {
    Map<Integer, String> expected = new LinkedHashMap<>();
    for (String row : Files.readAllLines(EXPECTED, StandardCharsets.UTF_8)) {
      if (row.isBlank() || row.startsWith("#")) {
        continue;
      }
      String[] cols = row.split("\t", 2);
      expected.put(Integer.parseInt(cols[0]), cols[1]);
    }
    assertThat(expected).as("dataset corpus entries").hasSizeGreaterThanOrEqualTo(15);

    Dataset d = new DatasetReader(new Graders()::validate).read(CORPUS, null);

    assertThat(d.path()).isEqualTo(CORPUS);
    Map<Integer, String> actual =
        d.badLines().stream().collect(Collectors.toMap(BadLine::line, BadLine::describe));
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    expected.forEach(
        (line, text) ->
            assertThat(actual.get(line))
                .as("line " + line)
                .startsWith("line " + line)
                .contains(text));
    List<String> good = d.samples().stream().map(Sample::id).toList();
    assertThat(good).containsExactly("q17");
  }
}
