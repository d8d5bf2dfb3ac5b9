package dev.moa.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.prompt.PromptAssembler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped configs/workshop.yaml holds the seed app's chat defaults. */
class DefaultConfigTest {

  private static final List<AgentConfig> SEED_AGENTS =
      List.of(
          new AgentConfig(
              "layer_agent_1",
              "llama-4-scout-17b-16e-instruct",
              "cerebras",
              0.3,
              2048,
              "Think through your response step by step. {helper_response}"),
          new AgentConfig(
              "layer_agent_2",
              "qwen-3-32b",
              "cerebras",
              0.7,
              2048,
              "Respond with a thought and then your response to the question. {helper_response}"),
          new AgentConfig(
              "layer_agent_3",
              "llama3.1-8b",
              "cerebras",
              0.1,
              2048,
              "You are an expert at logic and reasoning. Always take a logical approach to the"
                  + " answer. {helper_response}"));

  @Test
  void defaultConfigHasTheSeedAppsChatDefaults() {
    MoaConfig config = ConfigLoader.defaultConfig();

    assertThat(config.name()).isEqualTo("workshop");
    assertThat(config.layers()).hasSize(3);
    assertThat(config.layers())
        .allSatisfy(layer -> assertThat(layer.agents()).isEqualTo(SEED_AGENTS));
    assertThat(config.aggregator())
        .isEqualTo(
            new AggregatorConfig(
                "llama-3.3-70b",
                "cerebras",
                0.1,
                2048,
                "You are a personal assistant that is helpful.\n\n{helper_response}"));
    assertThat(config.referencePrompt()).isEqualTo(PromptAssembler.DEFAULT_REFERENCE_PROMPT);
    assertThat(config.minSuccesses()).isEqualTo(1);
    assertThat(config.layerTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void defaultConfigLetsTheSimulatorStandInForCerebrasWithoutAKey() {
    assertThat(ConfigLoader.defaultConfig().providers().get("cerebras"))
        .isEqualTo(
            new ProviderConfig("cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY", true));
  }

  @Test
  void defaultConfigTextIsTheCommentedFileInTheRepository() throws Exception {
    String text = ConfigLoader.defaultConfigText();

    assertThat(text).contains("# ").contains("layers: 3");
    Path repoFile = Path.of("../configs/workshop.yaml");
    if (Files.exists(repoFile)) {
      assertThat(text).isEqualTo(Files.readString(repoFile));
    }
  }

  @Test
  void defaultConfigRunsOnTheSimulatorWithoutAKeyAndOnCerebrasWithOne() throws ConfigException {
    MoaConfig config = ConfigLoader.defaultConfig();

    ResolvedProvider withoutKey =
        ProviderResolver.resolve(config, name -> null, "http://sim:8080/v1").get("cerebras");
    ResolvedProvider withKey =
        ProviderResolver.resolve(
                config, name -> name.equals("CEREBRAS_API_KEY") ? "k" : null, "http://sim:8080/v1")
            .get("cerebras");

    assertThat(withoutKey)
        .isEqualTo(new ResolvedProvider("cerebras", "http://sim:8080/v1", null, true));
    assertThat(withKey)
        .isEqualTo(
            new ResolvedProvider(
                "cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY", false));
  }
}
