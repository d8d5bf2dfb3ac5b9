package dev.moa.protocol.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed-config corpus ({@code src/test/resources/corpus/configs}): one file per entry, its
 * first line {@code # expect: TEXT}. Loading it must fail with an error that names the file and
 * contains TEXT (the field path and the bad value).
 */
class ConfigCorpusTest {

  static final Path DIR = Path.of("src/test/resources/corpus/configs");
  private static final String EXPECT = "# expect: ";

  static Stream<Path> entries() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(list).as("config corpus entries").hasSizeGreaterThanOrEqualTo(15);
      return list.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void eachMalformedConfigIsRefusedNamingFileFieldAndValue(Path file) throws IOException {
    String first = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
    assertThat(first).as("first line of " + file).startsWith(EXPECT);
    String expected = first.substring(EXPECT.length());

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));

    assertThat(e).as(file + " must be refused").isNotNull();
    assertThat(e.getMessage()).contains(file.toString()).contains(expected);
    assertThat(e.getMessage()).doesNotContain("sk-planted-not-a-key");
  }
}
