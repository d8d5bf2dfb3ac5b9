package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.graders.Graders;
import dev.moa.protocol.prompt.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {
  @TempDir Path dir;

  /** The real registry: knows the grader types. */
  private final DatasetReader reader = new DatasetReader(new Graders()::validate);

  /** Records calls and rejects an "exact" grader with unknown options, like a grader would. */
  private final List<String> calls = new ArrayList<>();

  private final DatasetReader strict =
      new DatasetReader(
          (type, options, target) -> {
            calls.add(type + " " + options + " " + target);
            if (!type.equals("exact")) {
              throw new IllegalArgumentException("unknown grader type '" + type + "'");
            }
            if (options.contains("bogus")) {
              throw new IllegalArgumentException("unknown option 'bogus' = 1");
            }
            if (target == null) {
              throw new IllegalArgumentException("target is required, got: null");
            }
          });

  private Path file(String... lines) throws IOException {
    Path p = dir.resolve("data.jsonl");
    Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return p;
  }

  private BadLine onlyBad(Dataset d) {
    assertThat(d.badLines()).hasSize(1);
    return d.badLines().get(0);
  }

  @Test
  void readsGoodLinesWithStringAndChatInputTargetGraderAndMetadata() throws IOException {
    Dataset d =
        reader.read(
            file(
                "{\"id\": \"q1\", \"input\": \"What is 6*7?\", \"target\": \"42\","
                    + " \"grader\": {\"type\": \"exact\", \"case_sensitive\": true},"
                    + " \"metadata\": {\"topic\": \"math\"}}",
                "",
                "   ",
                "{\"id\": \"q2\", \"input\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                    + " {\"role\": \"user\", \"content\": \"Capital of France?\"}],"
                    + " \"target\": {\"choices\": [1.50, 2]}}"),
            null);

    assertThat(d.clean()).isTrue();
    assertThat(d.samples()).hasSize(2);
    Sample q1 = d.samples().get(0);
    assertThat(q1.id()).isEqualTo("q1");
    assertThat(q1.line()).isEqualTo(1);
    assertThat(q1.messages()).containsExactly(new Message("user", "What is 6*7?"));
    assertThat(q1.targetJson()).isEqualTo("\"42\"");
    assertThat(q1.grader()).isEqualTo(new GraderRef("exact", "{\"case_sensitive\":true}"));
    assertThat(q1.metadataJson()).isEqualTo("{\"topic\":\"math\"}");

    Sample q2 = d.samples().get(1);
    assertThat(q2.line()).isEqualTo(4);
    assertThat(q2.messages())
        .containsExactly(
            new Message("system", "Be brief."), new Message("user", "Capital of France?"));
    assertThat(q2.targetJson()).as("decimals keep their text").isEqualTo("{\"choices\":[1.50,2]}");
    assertThat(q2.grader()).isNull();
    assertThat(q2.metadataJson()).isEqualTo("{}");
  }

  @Test
  void defaultGraderAppliesOnlyToLinesWithoutOneAndIsValidatedPerLine() throws IOException {
    GraderRef dflt = new GraderRef("exact", "{}");
    Dataset d =
        strict.read(
            file(
                "{\"id\": \"a\", \"input\": \"x\", \"target\": \"1\"}",
                "{\"id\": \"b\", \"input\": \"x\", \"target\": \"1\","
                    + " \"grader\": {\"type\": \"exact\", \"strip_articles\": true}}",
                "{\"id\": \"c\", \"input\": \"x\"}"),
            dflt);

    assertThat(d.samples()).extracting(Sample::id).containsExactly("a", "b");
    assertThat(d.samples().get(0).grader()).isEqualTo(dflt);
    assertThat(d.samples().get(1).grader())
        .isEqualTo(new GraderRef("exact", "{\"strip_articles\":true}"));
    BadLine c = onlyBad(d);
    assertThat(c.line()).isEqualTo(3);
    assertThat(c.id()).isEqualTo("c");
    assertThat(c.reason()).isEqualTo("default grader 'exact': target is required, got: null");
    assertThat(calls)
        .containsExactly(
            "exact {} \"1\"", "exact {\"strip_articles\":true} \"1\"", "exact {} null");
  }

  @Test
  void invalidJsonNamesTheLineAndTheProblem() throws IOException {
    BadLine b =
        onlyBad(reader.read(file("{\"id\": \"a\", \"input\": \"x\"}", "{\"id\": \"b\", "), null));
    assertThat(b.line()).isEqualTo(2);
    assertThat(b.id()).isNull();
    assertThat(b.reason())
        .startsWith("invalid JSON: ")
        .contains("column")
        .endsWith("; line: {\"id\": \"b\", ");
    BadLine words = onlyBad(reader.read(file("not json"), null));
    assertThat(words.reason()).startsWith("invalid JSON: ").endsWith("; line: not json");
  }

  @Test
  void trailingContentAndDuplicateKeysAreInvalidJson() throws IOException {
    Dataset d =
        reader.read(
            file(
                "{\"id\": \"a\", \"input\": \"x\"} {\"id\": \"b\"}",
                "{\"id\": \"c\", \"input\": \"x\", \"input\": \"y\"}"),
            null);
    assertThat(d.samples()).isEmpty();
    assertThat(d.badLines()).extracting(BadLine::line).containsExactly(1, 2);
    assertThat(d.badLines().get(0).reason()).startsWith("invalid JSON");
    assertThat(d.badLines().get(1).reason()).startsWith("invalid JSON").contains("input");
  }

  @Test
  void aLineThatIsNotAnObjectIsBad() throws IOException {
    BadLine b = onlyBad(reader.read(file("[1, 2, 3]"), null));
    assertThat(b.line()).isEqualTo(1);
    assertThat(b.reason()).isEqualTo("line is not a JSON object, got array: [1,2,3]");
  }

  @Test
  void missingEmptyAndNonStringIdsAreBad() throws IOException {
    Dataset d =
        reader.read(
            file(
                "{\"input\": \"x\"}",
                "{\"id\": \"\", \"input\": \"x\"}",
                "{\"id\": 17, \"input\": \"x\"}",
                "{\"id\": \"ok\", \"input\": \"x\"}"),
            null);
    assertThat(d.samples()).extracting(Sample::id).containsExactly("ok");
    assertThat(d.badLines())
        .containsExactly(
            new BadLine(1, null, "missing field 'id'"),
            new BadLine(2, null, "field 'id' must be a non-empty string, got: \"\""),
            new BadLine(3, null, "field 'id' must be a non-empty string, got: 17"));
  }

  @Test
  void theSecondOfTwoEqualIdsIsBadAndNamesTheFirstLine() throws IOException {
    Dataset d =
        reader.read(
            file(
                "{\"id\": \"q\", \"input\": \"first\"}",
                "{\"id\": \"other\", \"input\": \"x\"}",
                "{\"id\": \"q\", \"input\": \"second\"}"),
            null);
    assertThat(d.samples()).extracting(Sample::line).containsExactly(1, 2);
    assertThat(onlyBad(d)).isEqualTo(new BadLine(3, "q", "duplicate id 'q' (first on line 1)"));
  }

  @Test
  void missingEmptyAndMistypedInputsAreBad() throws IOException {
    Dataset d =
        reader.read(
            file(
                "{\"id\": \"a\"}",
                "{\"id\": \"b\", \"input\": 7}",
                "{\"id\": \"c\", \"input\": \"  \"}",
                "{\"id\": \"d\", \"input\": []}",
                "{\"id\": \"e\", \"input\": [\"hi\"]}",
                "{\"id\": \"f\", \"input\": [{\"role\": \"bot\", \"content\": \"hi\"}]}",
                "{\"id\": \"g\", \"input\": [{\"role\": \"user\", \"content\": 5}]}",
                "{\"id\": \"h\", \"input\": [{\"role\": \"user\"}]}",
                "{\"id\": \"i\", \"input\": [{\"role\": \"user\", \"content\": \"x\","
                    + " \"name\": \"n\"}]}"),
            null);
    assertThat(d.samples()).isEmpty();
    assertThat(d.badLines())
        .containsExactly(
            new BadLine(1, "a", "missing field 'input'"),
            new BadLine(
                2,
                "b",
                "field 'input' must be a string or a list of {role, content} messages, got: 7"),
            new BadLine(3, "c", "field 'input' must not be empty, got: \"  \""),
            new BadLine(4, "d", "field 'input' must not be an empty list"),
            new BadLine(5, "e", "field 'input[0]' must be a {role, content} object, got: \"hi\""),
            new BadLine(
                6,
                "f",
                "field 'input[0].role' must be one of system, user, assistant, got: \"bot\""),
            new BadLine(7, "g", "field 'input[0].content' must be a string, got: 5"),
            new BadLine(8, "h", "field 'input[0].content' must be a string, got: nothing"),
            new BadLine(9, "i", "unknown field 'input[0].name' = \"n\" (known: role, content)"));
  }

  @Test
  void unknownGraderTypeIsBadAndNamesTheKnownTypes() throws IOException {
    BadLine b =
        onlyBad(
            reader.read(
                file("{\"id\": \"a\", \"input\": \"x\", \"grader\": {\"type\": \"fuzzy\"}}"),
                null));
    assertThat(b.line()).isEqualTo(1);
    assertThat(b.id()).isEqualTo("a");
    assertThat(b.reason())
        .startsWith("field 'grader' (type 'fuzzy'): unknown grader type 'fuzzy'")
        .contains("exact");
  }

  @Test
  void optionsTheGraderRejectsCarryTheValidatorsMessage() throws IOException {
    BadLine b =
        onlyBad(
            strict.read(
                file(
                    "{\"id\": \"a\", \"input\": \"x\", \"target\": \"1\","
                        + " \"grader\": {\"type\": \"exact\", \"bogus\": 1}}"),
                null));
    assertThat(b.reason()).isEqualTo("field 'grader' (type 'exact'): unknown option 'bogus' = 1");
    assertThat(calls).containsExactly("exact {\"bogus\":1} \"1\"");
  }

  @Test
  void graderThatIsNotAnObjectOrHasNoTypeIsBad() throws IOException {
    Dataset d =
        reader.read(
            file(
                "{\"id\": \"a\", \"input\": \"x\", \"grader\": \"exact\"}",
                "{\"id\": \"b\", \"input\": \"x\", \"grader\": {\"case_sensitive\": true}}",
                "{\"id\": \"c\", \"input\": \"x\", \"grader\": {\"type\": 3}}"),
            null);
    assertThat(d.badLines())
        .containsExactly(
            new BadLine(1, "a", "field 'grader' must be an object with a 'type', got: \"exact\""),
            new BadLine(2, "b", "field 'grader' has no 'type': {\"case_sensitive\":true}"),
            new BadLine(3, "c", "field 'grader.type' must be a non-empty string, got: 3"));
  }

  @Test
  void metadataMustBeAnObject() throws IOException {
    BadLine b =
        onlyBad(
            reader.read(file("{\"id\": \"a\", \"input\": \"x\", \"metadata\": [\"t\"]}"), null));
    assertThat(b)
        .isEqualTo(new BadLine(1, "a", "field 'metadata' must be an object, got: [\"t\"]"));
  }

  @Test
  void unknownTopLevelKeysAreBadAndAllProblemsOfALineAreListed() throws IOException {
    BadLine b =
        onlyBad(reader.read(file("{\"id\": \"a\", \"question\": \"x\", \"answer\": 4}"), null));
    assertThat(b.line()).isEqualTo(1);
    assertThat(b.reason())
        .contains("unknown field 'question' = \"x\" (known: id, input, target, grader, metadata)")
        .contains("unknown field 'answer' = 4")
        .contains("missing field 'input'");
  }

  @Test
  void longBadValuesAreShortenedInTheReason() throws IOException {
    String big = "y".repeat(500);
    BadLine b =
        onlyBad(reader.read(file("{\"id\": \"a\", \"input\": {\"x\": \"" + big + "\"}}"), null));
    assertThat(b.reason()).contains("... (").hasSizeLessThan(250);
  }

  @Test
  void emptyFileGivesAnEmptyCleanDataset() throws IOException {
    Path p = dir.resolve("empty.jsonl");
    Files.writeString(p, "\n\n");
    Dataset d = reader.read(p, null);
    assertThat(d.samples()).isEmpty();
    assertThat(d.clean()).isTrue();
    assertThat(d.path()).isEqualTo(p);
  }

  @Test
  void aByteOrderMarkIsIgnored() throws IOException {
    Path p = dir.resolve("bom.jsonl");
    Files.writeString(p, "\uFEFF{\"id\": \"a\", \"input\": \"x\"}\n", StandardCharsets.UTF_8);
    assertThat(reader.read(p, null).samples()).extracting(Sample::id).containsExactly("a");
  }

  @Test
  void unreadableFilesThrowNamingThePath() throws IOException {
    Path missing = dir.resolve("missing.jsonl");
    assertThatThrownBy(() -> reader.read(missing, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString());
    Path binary = dir.resolve("latin1.jsonl");
    Files.write(binary, new byte[] {'{', '"', (byte) 0xE9, '"', '}', '\n'});
    assertThatThrownBy(() -> reader.read(binary, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(binary.toString());
    assertThatThrownBy(() -> reader.read(dir, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.toString());
  }
}
