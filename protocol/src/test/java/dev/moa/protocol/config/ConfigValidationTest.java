package dev.moa.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every validation rule, broken once, with the exact path and message it reports. */
class ConfigValidationTest {

  /** A small valid config in count form; tests break one thing at a time. */
  static final String VALID =
      """
      name: t
      layers: 2
      agents:
        - {name: a, model: m1}
        - {name: b, model: m2}
      aggregator: {model: agg}
      """;

  static final String EXPLICIT =
      """
      name: t
      layers:
        - agents:
            - {name: a, model: m1}
        - agents:
            - {name: a, model: m1}
            - {name: b, model: m2}
      aggregator: {model: agg}
      """;

  static List<ConfigError> errors(String yaml) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "my.yaml"));
    assertThat(e).as("expected the config to be rejected").isNotNull();
    assertThat(e.source()).isEqualTo("my.yaml");
    return e.errors();
  }

  static void assertOnlyError(String yaml, String path, String message) {
    assertThat(errors(yaml)).containsExactly(new ConfigError(path, message));
  }

  static void assertValid(String yaml) {
    assertThatCode(() -> ConfigLoader.parse(yaml, "my.yaml")).doesNotThrowAnyException();
  }

  @Test
  void baseConfigsAreValid() {
    assertValid(VALID);
    assertValid(EXPLICIT);
  }

  // ---------------------------------------------------------------- unknown keys

  @Test
  void misspelledAgentFieldSuggestsTheClosestKnownField() {
    String yaml = EXPLICIT.replace("{name: b, model: m2}", "{name: b, model: m2, temprature: 1}");

    assertOnlyError(
        yaml, "layers[1].agents[1].temprature", "unknown field (did you mean temperature?)");
  }

  @Test
  void camelCaseFieldSuggestsTheSnakeCaseField() {
    String yaml = VALID.replace("{name: a, model: m1}", "{name: a, model: m1, maxTokens: 10}");

    assertOnlyError(yaml, "agents[0].maxTokens", "unknown field (did you mean max_tokens?)");
  }

  @Test
  void unknownTopLevelFieldWithNothingCloseListsTheKnownFields() {
    assertOnlyError(
        VALID + "colour: blue\n",
        "colour",
        "unknown field (known fields: name, default_provider, providers, layers, agents,"
            + " aggregator, reference_prompt, min_successes, layer_timeout, prices)");
  }

  @Test
  void misspelledAggregatorFieldSuggestsTheClosestKnownField() {
    String yaml = VALID.replace("{model: agg}", "{model: agg, promt: x}");

    assertOnlyError(yaml, "aggregator.promt", "unknown field (did you mean prompt?)");
  }

  @Test
  void nameOnTheAggregatorIsAnUnknownField() {
    String yaml = VALID.replace("{model: agg}", "{model: agg, name: boss}");

    assertOnlyError(
        yaml,
        "aggregator.name",
        "unknown field (known fields: mode, model, provider, temperature, max_tokens, prompt,"
            + " vote_pattern)");
  }

  @Test
  void unknownLayerFieldSuggestsAgents() {
    String yaml = EXPLICIT.replaceFirst("- agents:", "- agnets: []\n    agents:");

    assertOnlyError(yaml, "layers[0].agnets", "unknown field (did you mean agents?)");
  }

  @Test
  void apiKeyFieldOnAProviderPointsToApiKeyEnvWithoutEchoingTheKey() {
    String yaml = VALID + "providers:\n  openai: {api_key: sk-secret-123}\n";

    List<ConfigError> errors = errors(yaml);

    assertThat(errors)
        .containsExactly(
            new ConfigError(
                "providers.openai.api_key",
                "unknown field (did you mean api_key_env? it takes the name of an environment"
                    + " variable, never the key itself)"));
    assertThat(errors.toString()).doesNotContain("sk-secret-123");
  }

  @Test
  void unknownPriceFieldSuggestsTheClosestKnownField() {
    String yaml = VALID + "prices:\n  m1: {input: 1, output: 2, ouput: 3}\n";

    assertOnlyError(yaml, "prices.m1.ouput", "unknown field (did you mean output?)");
  }

  // ---------------------------------------------------------------- wrong types

  @Test
  void temperatureThatIsNotANumberIsAnError() {
    String yaml = VALID.replace("{name: a, model: m1}", "{name: a, model: m1, temperature: hot}");

    assertOnlyError(yaml, "agents[0].temperature", "\"hot\" is not a number");
  }

  @Test
  void quotedNumberIsNotANumber() {
    String yaml =
        VALID.replace("{name: a, model: m1}", "{name: a, model: m1, temperature: \"0.5\"}");

    assertOnlyError(yaml, "agents[0].temperature", "\"0.5\" is not a number");
  }

  @Test
  void fractionalMaxTokensIsNotAWholeNumber() {
    String yaml = VALID.replace("{name: a, model: m1}", "{name: a, model: m1, max_tokens: 10.5}");

    assertOnlyError(yaml, "agents[0].max_tokens", "10.5 is not a whole number");
  }

  @Test
  void wholeNumberWrittenWithPointZeroIsAccepted() {
    String yaml = VALID.replace("{name: a, model: m1}", "{name: a, model: m1, max_tokens: 100.0}");

    assertValid(yaml);
  }

  @Test
  void modelThatYamlReadsAsANumberAsksForQuotes() {
    String yaml = VALID.replace("{model: agg}", "{model: 1.10}");

    assertOnlyError(yaml, "aggregator.model", "1.1 is not a string; put the value in quotes");
  }

  @Test
  void promptThatIsAListIsNotAString() {
    String yaml = VALID.replace("{model: agg}", "{model: agg, prompt: [a, b]}");

    assertOnlyError(yaml, "aggregator.prompt", "a list is not a string");
  }

  @Test
  void simulateWithoutKeyMustBeABoolean() {
    String yaml = VALID + "providers:\n  cerebras: {simulate_without_key: yes}\n";

    assertOnlyError(
        yaml,
        "providers.cerebras.simulate_without_key",
        "\"yes\" is not a boolean (true or false)");
  }

  @Test
  void agentsThatIsNotAListIsAnError() {
    String yaml =
        """
        layers: 1
        agents: {name: a, model: m}
        aggregator: {model: agg}
        """;

    assertOnlyError(yaml, "agents", "a mapping is not a list of agents");
  }

  @Test
  void agentThatIsNotAMappingIsAnError() {
    String yaml = VALID.replace("- {name: b, model: m2}", "- b");

    assertOnlyError(yaml, "agents[1]", "\"b\" is not a mapping (name, model, ...)");
  }

  @Test
  void aggregatorThatIsNotAMappingIsAnError() {
    String yaml = VALID.replace("aggregator: {model: agg}", "aggregator: agg");

    assertOnlyError(yaml, "aggregator", "\"agg\" is not a mapping (model, provider, ...)");
  }

  @Test
  void layersThatIsNeitherACountNorAListIsAnError() {
    String yaml = VALID.replace("layers: 2", "layers: three");

    assertOnlyError(yaml, "layers", "\"three\" is not a count or a list of layers");
  }

  @Test
  void fractionalLayerCountIsNotAWholeNumber() {
    String yaml = VALID.replace("layers: 2", "layers: 2.5");

    assertOnlyError(yaml, "layers", "2.5 is not a whole number");
  }

  @Test
  void layerThatIsNotAMappingIsAnError() {
    String yaml =
        """
        layers: [[{name: a, model: m}]]
        aggregator: {model: agg}
        """;

    assertOnlyError(yaml, "layers[0]", "a list is not a mapping with agents");
  }

  @Test
  void providersThatIsNotAMappingIsAnError() {
    String yaml = VALID + "providers: [openai]\n";

    assertOnlyError(yaml, "providers", "a list is not a mapping of provider names to providers");
  }

  @Test
  void providerThatIsNotAMappingIsAnError() {
    String yaml = VALID + "providers:\n  mylab: http://localhost:8000/v1\n";

    assertOnlyError(
        yaml,
        "providers.mylab",
        "\"http://localhost:8000/v1\" is not a mapping (base_url, api_key_env,"
            + " simulate_without_key)");
  }

  @Test
  void pricesThatIsNotAMappingIsAnError() {
    String yaml = VALID + "prices: 3\n";

    assertOnlyError(yaml, "prices", "3 is not a mapping of model names to {input, output}");
  }

  // ---------------------------------------------------------------- missing fields and names

  @Test
  void agentWithoutNameIsAnError() {
    String yaml = VALID.replace("{name: b, model: m2}", "{model: m2}");

    assertOnlyError(yaml, "agents[1].name", "missing (required)");
  }

  @Test
  void agentWithoutModelIsAnError() {
    String yaml = EXPLICIT.replace("{name: b, model: m2}", "{name: b}");

    assertOnlyError(yaml, "layers[1].agents[1].model", "missing (required)");
  }

  @Test
  void agentWithBlankModelIsAnError() {
    String yaml = VALID.replace("model: m1", "model: \" \"");

    assertOnlyError(yaml, "agents[0].model", "is empty");
  }

  @Test
  void missingAggregatorIsAnError() {
    String yaml = VALID.replace("aggregator: {model: agg}\n", "");

    assertOnlyError(yaml, "aggregator", "missing (required)");
  }

  @Test
  void aggregatorWithoutModelIsAnError() {
    String yaml = VALID.replace("{model: agg}", "{temperature: 0.2}");

    assertOnlyError(yaml, "aggregator.model", "missing (required)");
  }

  @Test
  void agentNameWithASpaceIsNotAValidName() {
    String yaml = VALID.replace("name: a,", "name: agent one,");

    assertOnlyError(
        yaml,
        "agents[0].name",
        "\"agent one\" is not a valid name: use 1 to 64 characters from A-Z a-z 0-9 _ . -");
  }

  @Test
  void agentNameLongerThan64CharactersIsNotAValidName() {
    String longName = "x".repeat(65);
    String yaml = VALID.replace("name: a,", "name: " + longName + ",");

    assertOnlyError(
        yaml,
        "agents[0].name",
        "\""
            + "x".repeat(57)
            + "...\" is not a valid name: use 1 to 64 characters from A-Z a-z"
            + " 0-9 _ . -");
  }

  @Test
  void agentNameOf64CharactersIsValid() {
    assertValid(VALID.replace("name: a,", "name: " + "x".repeat(64) + ","));
  }

  @Test
  void configNameWithASlashIsNotAValidName() {
    String yaml = VALID.replace("name: t", "name: a/b");

    assertOnlyError(
        yaml, "name", "\"a/b\" is not a valid name: use 1 to 64 characters from A-Z a-z 0-9 _ . -");
  }

  @Test
  void configWithoutNameTakesTheSourcesBaseName() throws ConfigException {
    MoaConfig config = ConfigLoader.parse(VALID.replace("name: t\n", ""), "dir/fast-3x3.yaml");

    assertThat(config.name()).isEqualTo("fast-3x3");
  }

  @Test
  void configWithoutNameAndWithoutAUsableSourceNameIsAnError() {
    String yaml = VALID.replace("name: t\n", "");

    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "<stdin>"));

    assertThat(e.errors()).containsExactly(new ConfigError("name", "missing (required)"));
  }

  @Test
  void duplicateAgentNamesWithinALayerAreAnError() {
    String yaml = EXPLICIT.replace("{name: b, model: m2}", "{name: a, model: m2}");

    assertOnlyError(
        yaml, "layers[1].agents[1].name", "duplicate agent name \"a\" (also layers[1].agents[0])");
  }

  @Test
  void theSameAgentNameInDifferentLayersIsFine() {
    assertValid(EXPLICIT); // "a" is in layers[0] and layers[1]
  }

  // ---------------------------------------------------------------- ranges

  @Test
  void temperatureAboveTwoIsOutsideTheRange() {
    String yaml =
        EXPLICIT.replace("{name: b, model: m2}", "{name: b, model: m2, temperature: 3.5}");

    assertOnlyError(yaml, "layers[1].agents[1].temperature", "3.5 is outside 0..2");
  }

  @Test
  void negativeTemperatureIsOutsideTheRange() {
    String yaml = VALID.replace("{model: agg}", "{model: agg, temperature: -0.1}");

    assertOnlyError(yaml, "aggregator.temperature", "-0.1 is outside 0..2");
  }

  @Test
  void temperatureBoundsZeroAndTwoAreAccepted() {
    assertValid(VALID.replace("{model: agg}", "{model: agg, temperature: 0}"));
    assertValid(VALID.replace("{model: agg}", "{model: agg, temperature: 2}"));
  }

  @Test
  void maxTokensOfZeroIsOutsideTheRange() {
    String yaml = VALID.replace("{name: a, model: m1}", "{name: a, model: m1, max_tokens: 0}");

    assertOnlyError(yaml, "agents[0].max_tokens", "0 is outside 1..1000000");
  }

  @Test
  void maxTokensAboveOneMillionIsOutsideTheRange() {
    String yaml = VALID.replace("{model: agg}", "{model: agg, max_tokens: 1000001}");

    assertOnlyError(yaml, "aggregator.max_tokens", "1000001 is outside 1..1000000");
  }

  @Test
  void hugeMaxTokensIsOutsideTheRange() {
    String yaml = VALID.replace("{model: agg}", "{model: agg, max_tokens: 99999999999999999999}");

    assertOnlyError(yaml, "aggregator.max_tokens", "99999999999999999999 is outside 1..1000000");
  }

  @Test
  void maxTokensBoundsAreAccepted() {
    assertValid(VALID.replace("{model: agg}", "{model: agg, max_tokens: 1}"));
    assertValid(VALID.replace("{model: agg}", "{model: agg, max_tokens: 1000000}"));
  }

  // ---------------------------------------------------------------- prompts

  @Test
  void agentPromptWithTwoPlaceholdersIsAnError() {
    String yaml =
        EXPLICIT.replace(
            "{name: b, model: m2}",
            "{name: b, model: m2, prompt: \"{helper_response} again {helper_response}\"}");

    assertOnlyError(
        yaml,
        "layers[1].agents[1].prompt",
        "has 2 {helper_response} placeholders; at most one is allowed");
  }

  @Test
  void aggregatorPromptWithThreePlaceholdersIsAnError() {
    String yaml =
        VALID.replace(
            "{model: agg}",
            "{model: agg, prompt: \"{helper_response}{helper_response}{helper_response}\"}");

    assertOnlyError(
        yaml, "aggregator.prompt", "has 3 {helper_response} placeholders; at most one is allowed");
  }

  @Test
  void promptWithoutPlaceholderAndWithOtherBracesIsValid() {
    assertValid(VALID.replace("{model: agg}", "{model: agg, prompt: \"Hi {name} {{x}}\"}"));
  }

  // ---------------------------------------------------------------- layers

  @Test
  void layerCountOfZeroIsOutsideTheRange() {
    assertOnlyError(VALID.replace("layers: 2", "layers: 0"), "layers", "0 is outside 1..20");
  }

  @Test
  void layerCountAboveTwentyIsOutsideTheRange() {
    assertOnlyError(VALID.replace("layers: 2", "layers: 21"), "layers", "21 is outside 1..20");
  }

  @Test
  void layerCountOfTwentyIsAccepted() throws ConfigException {
    assertThat(ConfigLoader.parse(VALID.replace("layers: 2", "layers: 20"), "x").layers())
        .hasSize(20);
  }

  @Test
  void moreThanTwentyExplicitLayersIsAnError() {
    String yaml =
        "layers:\n"
            + "  - agents: [{name: a, model: m}]\n".repeat(21)
            + "aggregator: {model: agg}\n";

    assertOnlyError(yaml, "layers", "21 layers; at most 20 are allowed");
  }

  @Test
  void emptyLayerListIsAnError() {
    String yaml = "layers: []\naggregator: {model: agg}\n";

    assertOnlyError(yaml, "layers", "empty list: at least 1 layer is required");
  }

  @Test
  void countFormAndExplicitFormTogetherAreAnError() {
    String yaml = EXPLICIT + "agents:\n  - {name: z, model: m}\n";

    assertOnlyError(
        yaml,
        "agents",
        "not allowed when layers is a list: put the agents in each layer, or make layers a count");
  }

  @Test
  void neitherCountFormNorExplicitFormIsAnError() {
    String yaml = "name: t\naggregator: {model: agg}\n";

    assertOnlyError(
        yaml,
        "layers",
        "missing: give a count (with a top-level agents list) or a list of layers, each"
            + " {agents: [...]}");
  }

  @Test
  void layerCountWithoutTopLevelAgentsIsAnError() {
    String yaml = "layers: 2\naggregator: {model: agg}\n";

    assertOnlyError(yaml, "agents", "missing (required when layers is a count)");
  }

  @Test
  void explicitLayerWithoutAgentsIsAnError() {
    String yaml = "layers:\n  - {}\naggregator: {model: agg}\n";

    assertOnlyError(
        yaml, "layers[0].agents", "missing (required: a layer has agents, self_moa or critic)");
  }

  @Test
  void emptyTopLevelAgentsListIsAnError() {
    String yaml = "layers: 2\nagents: []\naggregator: {model: agg}\n";

    assertOnlyError(yaml, "agents", "empty list: at least one agent is required");
  }

  @Test
  void emptyAgentsListInAnExplicitLayerIsAnError() {
    String yaml =
        """
        layers:
          - agents: [{name: a, model: m}]
          - agents: []
        aggregator: {model: agg}
        """;

    assertOnlyError(yaml, "layers[1].agents", "empty list: at least one agent is required");
  }

  // ---------------------------------------------------------------- providers

  @Test
  void unknownProviderListsTheKnownOnes() {
    String yaml =
        VALID.replace("{name: b, model: m2}", "{name: b, model: m2, provider: groq}")
            + "providers:\n  mylab: {base_url: \"http://localhost:8000/v1\"}\n";

    assertOnlyError(
        yaml,
        "agents[1].provider",
        "unknown provider \"groq\" (known: cerebras, openai, together, simulator, mylab)");
  }

  @Test
  void unknownDefaultProviderIsReportedOnce() {
    String yaml = VALID + "default_provider: groq\n";

    assertOnlyError(
        yaml,
        "default_provider",
        "unknown provider \"groq\" (known: cerebras, openai, together, simulator)");
  }

  @Test
  void baseUrlThatIsNotHttpIsAnError() {
    String yaml = VALID + "providers:\n  mylab: {base_url: \"ftp://example.org/v1\"}\n";

    assertOnlyError(
        yaml,
        "providers.mylab.base_url",
        "\"ftp://example.org/v1\" is not an http(s) URL (or builtin:simulator)");
  }

  @Test
  void baseUrlWithoutHostIsAnError() {
    String yaml = VALID + "providers:\n  mylab: {base_url: \"http:/v1\"}\n";

    assertOnlyError(
        yaml,
        "providers.mylab.base_url",
        "\"http:/v1\" is not an http(s) URL (or builtin:simulator)");
  }

  @Test
  void builtinSimulatorBaseUrlIsAccepted() throws ConfigException {
    String yaml = VALID + "providers:\n  fake: {base_url: \"builtin:simulator\"}\n";

    assertThat(ConfigLoader.parse(yaml, "x").providers().get("fake"))
        .isEqualTo(new ProviderConfig("fake", "builtin:simulator", null, false));
  }

  @Test
  void newProviderWithoutBaseUrlIsAnError() {
    String yaml = VALID + "providers:\n  mylab: {api_key_env: MYLAB_KEY}\n";

    assertOnlyError(
        yaml, "providers.mylab.base_url", "missing (required for a provider that is not built in)");
  }

  @Test
  void apiKeyEnvThatIsNotAVariableNameIsAnErrorThatDoesNotShowTheValue() {
    String yaml =
        VALID
            + "providers:\n  mylab: {base_url: \"http://localhost:8000/v1\", api_key_env:"
            + " csk-abc123}\n";

    List<ConfigError> errors = errors(yaml);

    assertThat(errors)
        .containsExactly(
            new ConfigError(
                "providers.mylab.api_key_env",
                "must be the name of an environment variable matching [A-Z_][A-Z0-9_]*, not a key"
                    + " (the value is not shown)"));
    assertThat(errors.toString()).doesNotContain("csk-abc123");
  }

  @Test
  void lowercaseApiKeyEnvIsAnError() {
    String yaml = VALID + "providers:\n  openai: {api_key_env: openai_key}\n";

    assertThat(errors(yaml))
        .extracting(ConfigError::path)
        .containsExactly("providers.openai.api_key_env");
  }

  @Test
  void providerNameWithASpaceIsAnError() {
    String yaml = VALID + "providers:\n  my lab: {base_url: \"http://localhost:8000/v1\"}\n";

    assertOnlyError(
        yaml,
        "providers.my lab",
        "\"my lab\" is not a valid provider name: use 1 to 64 characters from A-Z a-z 0-9 _ . -");
  }

  // ---------------------------------------------------------------- min_successes

  @Test
  void minSuccessesOfZeroIsAnError() {
    assertOnlyError(VALID + "min_successes: 0\n", "min_successes", "0 is less than 1");
  }

  @Test
  void minSuccessesAboveTheSmallestLayersAgentCountIsAnError() {
    assertOnlyError(
        EXPLICIT + "min_successes: 2\n",
        "min_successes",
        "2 is greater than the smallest layer's agent count (1 in layers[0])");
  }

  @Test
  void minSuccessesEqualToTheSmallestLayersAgentCountIsAccepted() throws ConfigException {
    assertThat(ConfigLoader.parse(VALID + "min_successes: 2\n", "x").minSuccesses()).isEqualTo(2);
  }

  // ---------------------------------------------------------------- durations

  @Test
  void durationInWordsIsNotADuration() {
    assertOnlyError(
        VALID + "layer_timeout: 5 minutes\n",
        "layer_timeout",
        "\"5 minutes\" is not a duration (e.g. 90s, 5m, 1h, 500ms, 1m30s or ISO-8601 PT5M)");
  }

  @Test
  void durationWithoutUnitIsAnError() {
    assertOnlyError(
        VALID + "layer_timeout: 90\n",
        "layer_timeout",
        "90 has no unit (e.g. 90s, 5m, 1h, 500ms, 1m30s or ISO-8601 PT5M)");
  }

  @Test
  void negativeIsoDurationIsAnError() {
    assertOnlyError(VALID + "layer_timeout: -PT1M\n", "layer_timeout", "\"-PT1M\" is negative");
  }

  @Test
  void durationTooLongForJavaIsAnError() {
    assertOnlyError(
        VALID + "layer_timeout: 99999999999999999999h\n",
        "layer_timeout",
        "\"99999999999999999999h\" is too long");
  }

  // ---------------------------------------------------------------- prices

  @Test
  void negativeInputPriceIsAnError() {
    assertOnlyError(
        VALID + "prices:\n  llama-3.3-70b: {input: -0.85, output: 1.2}\n",
        "prices.llama-3.3-70b.input",
        "-0.85 is negative");
  }

  @Test
  void negativeOutputPriceIsAnError() {
    assertOnlyError(
        VALID + "prices:\n  m1: {input: 0, output: -1}\n", "prices.m1.output", "-1 is negative");
  }

  @Test
  void priceWithoutOutputIsAnError() {
    assertOnlyError(
        VALID + "prices:\n  m1: {input: 0.1}\n",
        "prices.m1.output",
        "missing (required, USD per million tokens)");
  }

  // ---------------------------------------------------------------- documents

  @Test
  void emptyYamlIsAnError() {
    assertOnlyError(
        "", "", "the document is empty; expected a mapping with layers, agents and aggregator");
  }

  @Test
  void yamlWithOnlyCommentsIsEmpty() {
    assertOnlyError(
        "# nothing here\n",
        "",
        "the document is empty; expected a mapping with layers, agents and aggregator");
  }

  @Test
  void topLevelListIsNotAMapping() {
    assertOnlyError("- a\n- b\n", "", "the document is a list, not a mapping");
  }

  @Test
  void yamlSyntaxErrorGivesLineAndColumn() {
    String yaml = "name: t\nlayers: 2\naggregator: {model: agg\nagents: []\n";

    assertOnlyError(
        yaml, "", "YAML syntax error at line 4, column 7: expected ',' or '}', but got :");
  }

  @Test
  void badIndentationGivesLineAndColumn() {
    String yaml = "name: t\nlayers: 2\n  agents: []\n";

    assertOnlyError(
        yaml, "", "YAML syntax error at line 3, column 9: mapping values are not allowed here");
  }

  @Test
  void tabIndentationGivesLineAndColumn() {
    String yaml = "name: t\nagents:\n\t- {name: a}\n";

    assertThat(errors(yaml).get(0).message())
        .startsWith("YAML syntax error at line 3, column 1: found character '\\t(TAB)'");
  }

  @Test
  void duplicateKeyIsAnError() {
    assertOnlyError(
        VALID + "name: u\n", "", "YAML syntax error at line 7, column 5: duplicate key \"name\"");
  }

  @Test
  void secondYamlDocumentIsAnError() {
    assertOnlyError(
        VALID + "---\nname: u\n",
        "",
        "more than one YAML document (---) at line 8; a config holds exactly one");
  }

  // ---------------------------------------------------------------- all errors at once

  @Test
  void everyErrorIsReportedNotOnlyTheFirst() {
    String yaml =
        """
        name: t
        layers:
          - agents:
              - {name: a, model: m, temprature: 1}
          - agents:
              - {name: b, model: m, temperature: 3.5}
              - {name: b, max_tokens: 0}
        aggregator: {model: agg, provider: nope}
        layer_timeout: soon
        """;

    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "my.yaml"));

    assertThat(e.errors())
        .containsExactly(
            new ConfigError(
                "layers[0].agents[0].temprature", "unknown field (did you mean temperature?)"),
            new ConfigError("layers[1].agents[0].temperature", "3.5 is outside 0..2"),
            new ConfigError(
                "layers[1].agents[1].name",
                "duplicate agent name \"b\" (also layers[1].agents[0])"),
            new ConfigError("layers[1].agents[1].model", "missing (required)"),
            new ConfigError("layers[1].agents[1].max_tokens", "0 is outside 1..1000000"),
            new ConfigError(
                "aggregator.provider",
                "unknown provider \"nope\" (known: cerebras, openai, together, simulator)"),
            new ConfigError(
                "layer_timeout",
                "\"soon\" is not a duration (e.g. 90s, 5m, 1h, 500ms, 1m30s or ISO-8601 PT5M)"));
    assertThat(e.getMessage())
        .isEqualTo(
            String.join(
                "\n",
                "my.yaml: layers[0].agents[0].temprature: unknown field (did you mean temperature?)",
                "my.yaml: layers[1].agents[0].temperature: 3.5 is outside 0..2",
                "my.yaml: layers[1].agents[1].name: duplicate agent name \"b\" (also"
                    + " layers[1].agents[0])",
                "my.yaml: layers[1].agents[1].model: missing (required)",
                "my.yaml: layers[1].agents[1].max_tokens: 0 is outside 1..1000000",
                "my.yaml: aggregator.provider: unknown provider \"nope\" (known: cerebras, openai,"
                    + " together, simulator)",
                "my.yaml: layer_timeout: \"soon\" is not a duration (e.g. 90s, 5m, 1h, 500ms,"
                    + " 1m30s or ISO-8601 PT5M)"));
  }

  @Test
  void documentLevelErrorMessageHasNoPath() {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("", "my.yaml"));

    assertThat(e.getMessage())
        .isEqualTo(
            "my.yaml: the document is empty; expected a mapping with layers, agents and"
                + " aggregator");
  }
}
