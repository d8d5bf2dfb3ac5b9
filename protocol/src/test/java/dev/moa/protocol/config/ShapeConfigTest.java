package dev.moa.protocol.config;

import static dev.moa.protocol.config.ConfigValidationTest.assertOnlyError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Critic, self_moa, vote and best_of_n in configs: parsing, defaults, errors, round trips. */
class ShapeConfigTest {

  static final String CRITIC =
      """
      name: t
      layers:
        - agents:
            - {name: p1, model: m1}
            - {name: p2, model: m2}
        - critic: {model: judge, prompt: "Judge. End with Verdict: ACCEPT or Verdict: REJECT. {helper_response}"}
          max_retries: 2
      aggregator: {model: agg}
      """;

  static final String SELF_MOA =
      """
      name: s
      layers:
        - self_moa: {name: sampler, model: m1, temperature: 0.9, samples: 4}
      aggregator: {model: agg}
      """;

  @Test
  void criticLayerDefaultsToRetryingTheLayerBeforeIt() throws Exception {
    MoaConfig config = ConfigLoader.parse(CRITIC, "my.yaml");

    LayerConfig critic = config.layers().get(1);
    assertThat(critic.kind()).isEqualTo(LayerConfig.Kind.CRITIC);
    assertThat(critic.agents()).singleElement().extracting(AgentConfig::name).isEqualTo("critic");
    assertThat(critic.retryLayer()).isEqualTo(1);
    assertThat(critic.maxRetries()).isEqualTo(2);
  }

  @Test
  void selfMoaExpandsToKNumberedSamplesOfOneModel() throws Exception {
    MoaConfig config = ConfigLoader.parse(SELF_MOA, "my.yaml");

    LayerConfig layer = config.layers().get(0);
    assertThat(layer.kind()).isEqualTo(LayerConfig.Kind.SELF_MOA);
    assertThat(layer.agents())
        .extracting(AgentConfig::name)
        .containsExactly("sampler-1", "sampler-2", "sampler-3", "sampler-4");
    assertThat(layer.agents()).allMatch(a -> a.model().equals("m1") && a.temperature() == 0.9);
    assertThat(layer.samplerName()).isEqualTo("sampler");
  }

  @Test
  void shapesSurviveAWriteAndReadBack() throws Exception {
    for (String yaml :
        new String[] {
          CRITIC.replace("aggregator: {model: agg}", "aggregator: {mode: best_of_n, model: j}"),
          SELF_MOA.replace(
              "aggregator: {model: agg}", "aggregator: {mode: vote, vote_pattern: 'A: (\\\\d+)'}")
        }) {
      MoaConfig config = ConfigLoader.parse(yaml, "my.yaml");
      assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config), "again.yaml")).isEqualTo(config);
    }
  }

  @Test
  void voteNeedsNoModelAndTakesTheLastLayersProvider() throws Exception {
    MoaConfig config =
        ConfigLoader.parse(
            SELF_MOA.replace("aggregator: {model: agg}", "aggregator: {mode: vote}"), "my.yaml");

    assertThat(config.aggregator().mode()).isEqualTo(AggregatorConfig.Mode.VOTE);
    assertThat(config.aggregator().model()).isEqualTo("vote");
    assertThat(config.aggregator().provider()).isEqualTo("cerebras");
  }

  @Test
  void bestOfNWithoutAPromptGetsTheJudgePrompt() throws Exception {
    MoaConfig config =
        ConfigLoader.parse(
            SELF_MOA.replace("aggregator: {model: agg}", "aggregator: {mode: best_of_n, model: j}"),
            "my.yaml");

    assertThat(config.aggregator().prompt()).contains("Best: N").contains("{helper_response}");
  }

  @Test
  void theShippedShapeConfigsAreValid() throws Exception {
    Path configs = Path.of("..", "configs");
    MoaConfig critic = ConfigLoader.load(configs.resolve("planner-critic.yaml"));
    assertThat(critic.layers().get(0).agents()).hasSize(8);
    assertThat(critic.layers().get(1).kind()).isEqualTo(LayerConfig.Kind.CRITIC);
    assertThat(critic.layers().get(1).maxRetries()).isEqualTo(2);
    MoaConfig self = ConfigLoader.load(configs.resolve("self-moa.yaml"));
    assertThat(self.layers().get(0).kind()).isEqualTo(LayerConfig.Kind.SELF_MOA);
  }

  // ---------------------------------------------------------------- errors

  @Test
  void aCriticCannotBeTheFirstLayer() {
    String yaml = "layers:\n  - critic: {model: judge}\naggregator: {model: agg}\n";

    assertOnlyError(
        yaml,
        "layers[0].critic",
        "a critic cannot be the first layer: it judges the layer before it");
  }

  @Test
  void retryLayerMustBeALayerBeforeTheCritic() {
    assertOnlyError(
        CRITIC.replace("max_retries: 2", "retry_layer: 2"),
        "layers[1].retry_layer",
        "2 is not a layer before this critic (1..1, 1-based)");
  }

  @Test
  void maxRetriesIsBounded() {
    assertOnlyError(
        CRITIC.replace("max_retries: 2", "max_retries: 11"),
        "layers[1].max_retries",
        "11 is outside 0..10");
  }

  @Test
  void retryFieldsBelongToCriticLayersOnly() {
    assertOnlyError(
        SELF_MOA.replace("samples: 4}", "samples: 4}\n    max_retries: 1"),
        "layers[0].max_retries",
        "1 is only allowed in a critic layer");
  }

  @Test
  void aLayerHasExactlyOneForm() {
    assertOnlyError(
        SELF_MOA.replace("samples: 4}", "samples: 4}\n    agents: [{name: a, model: m}]"),
        "layers[0]",
        "has agents and self_moa; give exactly one of agents, self_moa, critic");
  }

  @Test
  void samplesIsRequiredAndBounded() {
    assertOnlyError(
        SELF_MOA.replace(", samples: 4", ""),
        "layers[0].self_moa.samples",
        "missing (required: how many times the model is sampled)");
    assertOnlyError(
        SELF_MOA.replace("samples: 4", "samples: 65"),
        "layers[0].self_moa.samples",
        "65 is outside 1..64");
  }

  @Test
  void voteTakesNoModel() {
    assertOnlyError(
        SELF_MOA.replace("aggregator: {model: agg}", "aggregator: {mode: vote, model: agg}"),
        "aggregator.model",
        "\"agg\" is not used with mode: vote (no call)");
  }

  @Test
  void aBadVotePatternIsNamed() {
    assertOnlyError(
        SELF_MOA.replace("aggregator: {model: agg}", "aggregator: {mode: vote, vote_pattern: '('}"),
        "aggregator.vote_pattern",
        "\"(\" is not a regular expression: Unclosed group");
  }

  @Test
  void anUnknownModeListsTheKnownOnes() {
    assertOnlyError(
        SELF_MOA.replace("aggregator: {model: agg}", "aggregator: {mode: debate, model: agg}"),
        "aggregator.mode",
        "\"debate\" is not a mode (known: synthesize, vote, best_of_n)");
  }

  @Test
  void minSuccessesIgnoresCriticLayers() throws Exception {
    MoaConfig config =
        ConfigLoader.parse(CRITIC.replace("name: t", "name: t\nmin_successes: 2"), "my.yaml");

    assertThat(config.minSuccesses()).isEqualTo(2);
  }
}
