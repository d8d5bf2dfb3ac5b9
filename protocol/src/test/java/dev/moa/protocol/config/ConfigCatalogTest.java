package dev.moa.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigCatalogTest {

  private static final String VALID =
      """
      # a comment that must survive
      layers: 1
      agents: [{name: a, model: m}]
      aggregator: {model: agg}
      """;

  @TempDir Path dir;

  @Test
  void namesAreTheYamlFilesWithValidNamesSorted() throws Exception {
    Files.writeString(dir.resolve("workshop.yaml"), VALID);
    Files.writeString(dir.resolve("a-2.yaml"), VALID);
    Files.writeString(dir.resolve("README.md"), "# not a config");
    Files.writeString(dir.resolve("Upper.yaml"), VALID);
    Files.writeString(dir.resolve(".hidden.yaml"), VALID);
    Files.writeString(dir.resolve("other.yml"), VALID);
    Files.createDirectories(dir.resolve("sweeps.yaml"));

    assertThat(new ConfigCatalog(dir).names()).containsExactly("a-2", "workshop");
  }

  @Test
  void aMissingDirectoryHasNoNames() {
    assertThat(new ConfigCatalog(dir.resolve("absent")).names()).isEmpty();
  }

  @Test
  void saveThenLoadAndTextRoundTrip() throws Exception {
    ConfigCatalog catalog = new ConfigCatalog(dir.resolve("new"));

    catalog.save("mine", VALID);

    assertThat(catalog.names()).containsExactly("mine");
    assertThat(catalog.contains("mine")).isTrue();
    assertThat(catalog.text("mine")).isEqualTo(VALID);
    MoaConfig config = catalog.load("mine");
    assertThat(config.name()).isEqualTo("mine");
    assertThat(config.aggregator().model()).isEqualTo("agg");
    try (var files = Files.list(dir.resolve("new"))) {
      assertThat(files).hasSize(1);
    }
  }

  @Test
  void anInvalidConfigIsNotSavedAndTheErrorHasItsFieldPath() throws Exception {
    ConfigCatalog catalog = new ConfigCatalog(dir);
    catalog.save("mine", VALID);

    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                catalog.save(
                    "mine",
                    """
                    layers: 1
                    agents: [{name: a, model: m, temperature: 3.5}]
                    aggregator: {model: agg}
                    """));

    assertThat(e.errors()).extracting(ConfigError::path).contains("agents[0].temperature");
    assertThat(e.getMessage()).contains("mine.yaml").contains("3.5");
    assertThat(catalog.text("mine")).isEqualTo(VALID);
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc", "", "Upper", "-dash", ".hidden", "a/b", "a\nb"})
  void badNamesAreRefusedForEveryOperation(String name) {
    ConfigCatalog catalog = new ConfigCatalog(dir);

    for (ThrowingCall call :
        new ThrowingCall[] {
          () -> catalog.save(name, VALID), () -> catalog.load(name), () -> catalog.text(name)
        }) {
      ConfigException e = catchThrowableOfType(ConfigException.class, call::run);
      assertThat(e).as(name).isNotNull();
      assertThat(e.errors().get(0).path()).isEqualTo("name");
      assertThat(e.getMessage()).contains("is not a config name").doesNotContain("\n");
    }
    assertThat(catalog.contains(name)).isFalse();
    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void aNameOfSixtyFiveCharactersIsRefused() {
    ConfigCatalog catalog = new ConfigCatalog(dir);
    String longName = "a".repeat(65);

    assertThat(catchThrowableOfType(ConfigException.class, () -> catalog.save(longName, VALID)))
        .isNotNull();
    assertThat(ConfigCatalog.NAME.matcher("a".repeat(64)).matches()).isTrue();
  }

  @Test
  void anUnknownConfigNamesItsFile() {
    ConfigCatalog catalog = new ConfigCatalog(dir);

    ConfigException load = catchThrowableOfType(ConfigException.class, () -> catalog.load("nope"));
    ConfigException text = catchThrowableOfType(ConfigException.class, () -> catalog.text("nope"));

    assertThat(load.getMessage()).contains(dir.resolve("nope.yaml").toString());
    assertThat(text.getMessage()).contains(dir.resolve("nope.yaml").toString());
  }

  @Test
  void theShippedConfigsDirectoryLoads() throws Exception {
    ConfigCatalog catalog = new ConfigCatalog(Path.of("..", "configs"));

    assertThat(catalog.names()).contains("workshop");
    for (String name : catalog.names()) {
      assertThat(catalog.load(name).layers()).as(name).isNotEmpty();
    }
  }

  @FunctionalInterface
  interface ThrowingCall {
    void run() throws Exception;
  }
}
