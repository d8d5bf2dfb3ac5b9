package dev.moa.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.moa.protocol.prompt.PromptAssembler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

  @Test
  void omittedFieldsTakeTheirDefaults() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            """
            name: minimal
            layers: 1
            agents: [{name: a, model: m}]
            aggregator: {model: agg}
            """,
            "minimal.yaml");

    AgentConfig agent = config.layers().get(0).agents().get(0);
    assertThat(agent)
        .isEqualTo(new AgentConfig("a", "m", "cerebras", 0.7, 2048, "{helper_response}"));
    assertThat(config.aggregator())
        .isEqualTo(new AggregatorConfig("agg", "cerebras", 0.7, 2048, "{helper_response}"));
    assertThat(config.referencePrompt()).isEqualTo(PromptAssembler.DEFAULT_REFERENCE_PROMPT);
    assertThat(config.minSuccesses()).isEqualTo(1);
    assertThat(config.layerTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.prices()).isEmpty();
    assertThat(config.providers()).isEqualTo(ProviderConfig.builtIns());
  }

  @Test
  void countFormRepeatsTheAgentsInEveryLayer() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            """
            layers: 3
            agents: [{name: a, model: m1}, {name: b, model: m2}]
            aggregator: {model: agg}
            """,
            "x.yaml");

    assertThat(config.layers()).hasSize(3);
    assertThat(config.layers()).allSatisfy(l -> assertThat(l).isEqualTo(config.layers().get(0)));
    assertThat(config.layers().get(2).agents())
        .extracting(AgentConfig::name)
        .containsExactly("a", "b");
  }

  @Test
  void explicitFormKeepsEachLayersOwnAgents() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            """
            layers:
              - agents: [{name: a, model: m1}, {name: b, model: m2}]
              - agents: [{name: c, model: m3, provider: openai, temperature: 1.5, max_tokens: 10, prompt: "P"}]
            aggregator: {model: agg, provider: together, temperature: 0, max_tokens: 5, prompt: "Q {helper_response}"}
            """,
            "x.yaml");

    assertThat(config.layers()).hasSize(2);
    assertThat(config.layers().get(1).agents())
        .containsExactly(new AgentConfig("c", "m3", "openai", 1.5, 10, "P"));
    assertThat(config.aggregator())
        .isEqualTo(new AggregatorConfig("agg", "together", 0.0, 5, "Q {helper_response}"));
  }

  @Test
  void defaultProviderAppliesToAgentsAndAggregatorWithoutOne() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            """
            default_provider: simulator
            layers: 1
            agents: [{name: a, model: m}, {name: b, model: m, provider: openai}]
            aggregator: {model: agg}
            """,
            "x.yaml");

    assertThat(config.layers().get(0).agents())
        .extracting(AgentConfig::provider)
        .containsExactly("simulator", "openai");
    assertThat(config.aggregator().provider()).isEqualTo("simulator");
  }

  @Test
  void fileProvidersAreAddedAndPartialOverridesKeepTheBuiltInValues() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            """
            providers:
              mylab: {base_url: "http://localhost:8000/v1", api_key_env: MYLAB_API_KEY}
              local: {base_url: "http://127.0.0.1:11434/v1"}
              cerebras: {simulate_without_key: true}
              openai: {api_key_env: null}
            layers: 1
            agents: [{name: a, model: m, provider: mylab}]
            aggregator: {model: agg}
            """,
            "x.yaml");

    assertThat(config.providers())
        .containsEntry(
            "mylab",
            new ProviderConfig("mylab", "http://localhost:8000/v1", "MYLAB_API_KEY", false))
        .containsEntry(
            "local", new ProviderConfig("local", "http://127.0.0.1:11434/v1", null, false))
        .containsEntry(
            "cerebras",
            new ProviderConfig("cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY", true))
        .containsEntry(
            "openai", new ProviderConfig("openai", "https://api.openai.com/v1", null, false))
        .containsEntry(
            "simulator", new ProviderConfig("simulator", "builtin:simulator", null, false))
        .containsKey("together");
  }

  @Test
  void builtInProvidersAreTheDocumentedOnes() {
    assertThat(ProviderConfig.builtIns())
        .containsExactly(
            Map.entry(
                "cerebras",
                new ProviderConfig(
                    "cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY", false)),
            Map.entry(
                "openai",
                new ProviderConfig("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", false)),
            Map.entry(
                "together",
                new ProviderConfig(
                    "together", "https://api.together.xyz/v1", "TOGETHER_API_KEY", false)),
            Map.entry(
                "simulator", new ProviderConfig("simulator", "builtin:simulator", null, false)));
  }

  @Test
  void pricesAreReadInUsdPerMillionTokens() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            ConfigValidationTest.VALID
                + "prices:\n  llama-3.3-70b: {input: 0.85, output: 1.2}\n  free: {input: 0, output: 0}\n",
            "x.yaml");

    assertThat(config.prices())
        .containsExactly(
            Map.entry("llama-3.3-70b", new ModelPrice(0.85, 1.2)),
            Map.entry("free", new ModelPrice(0, 0)));
    assertThat(config.prices().get("llama-3.3-70b").cost(1_000_000, 500_000)).isEqualTo(1.45);
  }

  @Test
  void referencePromptAndMinSuccessesAreRead() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            ConfigValidationTest.VALID + "reference_prompt: \"Answers:\"\nmin_successes: 2\n",
            "x.yaml");

    assertThat(config.referencePrompt()).isEqualTo("Answers:");
    assertThat(config.minSuccesses()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource({
    "90s, PT1M30S",
    "2m, PT2M",
    "1h, PT1H",
    "500ms, PT0.5S",
    "PT1M, PT1M",
    "1m30s, PT1M30S",
    "0s, PT0S"
  })
  void layerTimeoutAcceptsUnitsAndIso8601(String text, String iso) throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(ConfigValidationTest.VALID + "layer_timeout: " + text + "\n", "x.yaml");

    assertThat(config.layerTimeout()).isEqualTo(Duration.parse(iso));
  }

  @Test
  void anchorsAliasesAndMergeKeysCanShareSettings() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            """
            aggregator: &agg {model: big, max_tokens: 100}
            layers:
              - agents: [&a {name: a, model: m, temperature: 0.2}]
              - agents: [*a, {<<: *agg, name: b}]
            """,
            "x.yaml");

    assertThat(config.layers().get(1).agents())
        .containsExactly(
            new AgentConfig("a", "m", "cerebras", 0.2, 2048, "{helper_response}"),
            new AgentConfig("b", "big", "cerebras", 0.7, 100, "{helper_response}"));
  }

  @Test
  void mergeKeysCannotOverrideAKeyBecauseDuplicateKeysAreErrors() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigLoader.parse(
                    """
                    layers: 1
                    agents:
                      - &base {name: a, model: m}
                      - {<<: *base, name: b}
                    aggregator: {model: agg}
                    """,
                    "x.yaml"));

    assertThat(e.errors())
        .containsExactly(
            new ConfigError("", "YAML syntax error at line 4, column 21: duplicate key \"name\""));
  }

  @Test
  void multiLinePromptsKeepTheirText() throws ConfigException {
    MoaConfig config =
        ConfigLoader.parse(
            """
            layers: 1
            agents: [{name: a, model: m}]
            aggregator:
              model: agg
              prompt: |
                Line one.

                {helper_response}
            """,
            "x.yaml");

    assertThat(config.aggregator().prompt()).isEqualTo("Line one.\n\n{helper_response}\n");
  }

  @Test
  void loadReadsAFileAndNamesTheConfigAfterIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("fast.yaml");
    Files.writeString(
        file,
        "layers: 1\nagents: [{name: a, model: m}]\naggregator: {model: agg}\n",
        StandardCharsets.UTF_8);

    MoaConfig config = ConfigLoader.load(file);

    assertThat(config.name()).isEqualTo("fast");
  }

  @Test
  void loadReportsErrorsWithThePathAsSource(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "layers: 0\nagents: [{name: a, model: m}]\naggregator: {model: agg}\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));

    assertThat(e.source()).isEqualTo(file.toString());
    assertThat(e.getMessage()).isEqualTo(file + ": layers: 0 is outside 1..20");
  }

  @Test
  void missingFileIsAConfigExceptionNamingThePath(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));

    assertThat(e.source()).isEqualTo(file.toString());
    assertThat(e.errors())
        .containsExactly(new ConfigError("", "cannot read " + file + ": no such file"));
    assertThat(e.getMessage()).isEqualTo(file + ": cannot read " + file + ": no such file");
  }

  @Test
  void directoryIsAConfigExceptionNamingThePath(@TempDir Path dir) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));

    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).message()).startsWith("cannot read " + dir + ": ");
  }

  @Test
  void fileThatIsNotUtf8IsAConfigException(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xE9, '\n'});

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));

    assertThat(e.errors()).containsExactly(new ConfigError("", "is not UTF-8 text"));
  }

  @Test
  void byteOrderMarkIsIgnored() throws ConfigException {
    assertThat(ConfigLoader.parse("\uFEFF" + ConfigValidationTest.VALID, "x").name())
        .isEqualTo("t");
  }

  @Test
  void configRecordsAreImmutable() throws ConfigException {
    MoaConfig config = ConfigLoader.parse(ConfigValidationTest.VALID, "x");

    assertThat(config.layers()).isUnmodifiable();
    assertThat(config.layers().get(0).agents()).isUnmodifiable();
    assertThat(config.providers()).isUnmodifiable();
    assertThat(config.prices()).isUnmodifiable();
    assertThat(List.copyOf(config.providers().keySet()))
        .containsExactly("cerebras", "openai", "together", "simulator");
  }
}
