package dev.moa.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedImporterTest {

  private static String seedExample() throws Exception {
    try (InputStream in =
        SeedImporterTest.class.getResourceAsStream("/dev/moa/configs/seed-example.json")) {
      assertThat(in).as("configs/seed-example.json on the classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String seed(String aiConfiguration) {
    return "{\"ai_configuration\": " + aiConfiguration + ", \"version\": \"2.0\"}";
  }

  private static final String AGENT =
      "{\"name\": \"a\", \"model\": \"m\", \"temperature\": 0.5, \"prompt\": \"P {helper_response}\"}";

  private static String config(String agentJson) {
    return seed(
        "{\"main_model\": \"llama-3.3-70b\", \"main_temperature\": 0.1, \"cycles\": 3,"
            + " \"system_prompt\": \"S {helper_response}\", \"layer_agents\": ["
            + agentJson
            + "]}");
  }

  private static List<ConfigError> errors(String json) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> SeedImporter.toYaml(json, "seed.json"));
    assertThat(e).as("expected the seed to be rejected").isNotNull();
    assertThat(e.source()).isEqualTo("seed.json");
    return e.errors();
  }

  @Test
  void seedExampleBecomesACountFormConfigWithCerebrasAnd2048Tokens() throws Exception {
    String yaml = SeedImporter.toYaml(seedExample(), "configs/seed-example.json");
    MoaConfig config = ConfigLoader.parse(yaml, "imported.yaml");

    assertThat(yaml).contains("layers: 2").contains("agents:\n  - name: bug_hunter");
    assertThat(config.name()).isEqualTo("seed-example");
    assertThat(config.layers()).hasSize(2);
    List<AgentConfig> agents =
        List.of(
            new AgentConfig(
                "bug_hunter",
                "llama-4-scout-17b-16e-instruct",
                "cerebras",
                0.3,
                2048,
                "List every bug you can find, with the line it is on. {helper_response}"),
            new AgentConfig(
                "edge_cases",
                "qwen-3-32b",
                "cerebras",
                0.6,
                2048,
                "Think about empty inputs, missing keys and boundary values. {helper_response}"),
            new AgentConfig(
                "Agent_3",
                "llama3.1-8b",
                "cerebras",
                0.1,
                2048,
                "Suggest a faster version that behaves the same. {helper_response}"));
    assertThat(config.layers()).allSatisfy(l -> assertThat(l.agents()).isEqualTo(agents));
    assertThat(config.aggregator())
        .isEqualTo(
            new AggregatorConfig(
                "llama-3.3-70b",
                "cerebras",
                0.2,
                2048,
                "You are a senior Python reviewer. Write the corrected function with a short"
                    + " explanation. {helper_response}"));
    assertThat(config.providers()).isEqualTo(ProviderConfig.builtIns());
  }

  @Test
  void agentNamesTheSeedAppAllowsAreMadeValidAndTheChangeIsNoted() throws Exception {
    String yaml = SeedImporter.toYaml(seedExample(), "seed-example.json");

    assertThat(yaml).contains("# Agent name \"Agent 3\" became Agent_3");
  }

  @Test
  void configNameComesFromTheSourceFilesBaseName() throws Exception {
    String yaml = SeedImporter.toYaml(config(AGENT), "/tmp/exports/ai_config_my team.json");

    assertThat(ConfigLoader.parse(yaml, "x").name()).isEqualTo("ai_config_my_team");
  }

  @Test
  void numericStringsAreAcceptedLikeTheSeedAppDoes() throws Exception {
    String json =
        config(AGENT.replace("0.5", "\"0.5\"")).replace("\"cycles\": 3", "\"cycles\": \"2\"");

    MoaConfig config = ConfigLoader.parse(SeedImporter.toYaml(json, "s.json"), "x");

    assertThat(config.layers()).hasSize(2);
    assertThat(config.layers().get(0).agents().get(0).temperature()).isEqualTo(0.5);
  }

  @Test
  void temperatureThatIsNotANumberNamesTheJsonField() {
    String json = config(AGENT + ", " + AGENT.replace("0.5", "\"hot\"").replace("\"a\"", "\"b\""));

    assertThat(errors(json))
        .containsExactly(
            new ConfigError(
                "ai_configuration.layer_agents[1].temperature", "\"hot\" is not a number"));
  }

  @Test
  void missingFieldsAreAllNamed() {
    String json = seed("{\"main_model\": \"m\", \"layer_agents\": [{\"name\": \"a\"}]}");

    assertThat(errors(json))
        .containsExactly(
            new ConfigError("ai_configuration.main_temperature", "missing (required)"),
            new ConfigError("ai_configuration.cycles", "missing (required)"),
            new ConfigError("ai_configuration.system_prompt", "missing (required)"),
            new ConfigError("ai_configuration.layer_agents[0].model", "missing (required)"),
            new ConfigError("ai_configuration.layer_agents[0].temperature", "missing (required)"),
            new ConfigError("ai_configuration.layer_agents[0].prompt", "missing (required)"));
  }

  @Test
  void missingAiConfigurationIsAnError() {
    assertThat(errors("{\"version\": \"2.0\"}"))
        .containsExactly(new ConfigError("ai_configuration", "missing (required)"));
  }

  @Test
  void unsupportedVersionIsAnError() {
    String json = config(AGENT).replace("\"version\": \"2.0\"", "\"version\": \"1.0\"");

    assertThat(errors(json))
        .containsExactly(new ConfigError("version", "\"1.0\" is not supported (expected 2.x)"));
  }

  @Test
  void validationErrorsAreReportedAtTheSeedsFieldPaths() {
    String json =
        seed(
            "{\"main_model\": \"\", \"main_temperature\": 2.5, \"cycles\": 30,"
                + " \"system_prompt\": \"{helper_response}{helper_response}\", \"layer_agents\": ["
                + AGENT
                + ", "
                + AGENT.replace("0.5", "3")
                + "]}");

    assertThat(errors(json))
        .containsExactly(
            new ConfigError("ai_configuration.cycles", "30 is outside 1..20"),
            new ConfigError(
                "ai_configuration.layer_agents[1].name",
                "duplicate agent name \"a\" (also agents[0])"),
            new ConfigError("ai_configuration.layer_agents[1].temperature", "3 is outside 0..2"),
            new ConfigError("ai_configuration.main_model", "is empty"),
            new ConfigError("ai_configuration.main_temperature", "2.5 is outside 0..2"),
            new ConfigError(
                "ai_configuration.system_prompt",
                "has 2 {helper_response} placeholders; at most one is allowed"));
  }

  @Test
  void emptyAgentListIsReportedAtLayerAgents() {
    assertThat(errors(config("")))
        .containsExactly(
            new ConfigError(
                "ai_configuration.layer_agents", "empty list: at least one agent is required"));
  }

  @Test
  void badJsonGivesLineAndColumn() {
    assertThat(errors("{\"ai_configuration\": {\n  \"main_model\": ,\n}}"))
        .containsExactly(
            new ConfigError(
                "",
                "JSON syntax error at line 2, column 17: Unexpected character (',' (code 44)):"
                    + " expected a valid value (JSON String, Number, Array, Object or token 'null',"
                    + " 'true' or 'false')"));
  }

  @Test
  void contentAfterTheJsonObjectIsAnError() {
    assertThat(errors(config(AGENT) + "\n{}"))
        .containsExactly(
            new ConfigError(
                "",
                "JSON syntax error at line 2, column 1: unexpected content after the JSON object"));
  }

  @Test
  void emptyJsonIsAnError() {
    assertThat(errors("  ")).containsExactly(new ConfigError("", "the document is empty"));
  }

  @Test
  void jsonThatIsNotAnObjectIsAnError() {
    assertThat(errors("[1]"))
        .containsExactly(new ConfigError("", "the document is a list, not a JSON object"));
  }

  @Test
  void promptsWithQuotesAndNewlinesSurviveTheImport() throws Exception {
    String json =
        config(
            "{\"name\": \"a\", \"model\": \"m\", \"temperature\": 0,"
                + " \"prompt\": \"Say \\\"hi\\\"\\n\\n{helper_response} {x} $1\"}");

    MoaConfig config = ConfigLoader.parse(SeedImporter.toYaml(json, "s.json"), "x");

    assertThat(config.layers().get(0).agents().get(0).prompt())
        .isEqualTo("Say \"hi\"\n\n{helper_response} {x} $1");
  }
}
