package dev.moa.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.config.AgentConfig;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpaceExpanderTest {

  private static final String BASE =
      """
      name: base
      layers: 2
      agents:
        - {name: a, model: m1, provider: simulator, temperature: 0.3, max_tokens: 64}
        - {name: b, model: m2, provider: simulator, temperature: 0.5, max_tokens: 64}
      aggregator: {model: agg, provider: simulator, max_tokens: 64}
      """;

  private static MoaConfig base() throws ConfigException {
    return ConfigLoader.parse(BASE, "base.yaml");
  }

  private static List<Configuration> expand(String space) throws ConfigException {
    return SpaceExpander.expand(SpaceParser.parse(space, "space.yaml"), base(), "space.yaml");
  }

  @Test
  void aGridHasEveryCombinationInOrder() throws Exception {
    List<Configuration> cs =
        expand("name: s\ndimensions: {layers: [1, 3], agents: [1, 3], temperature: [0.0, 1.2]}");

    assertThat(cs).hasSize(8);
    assertThat(cs)
        .extracting(Configuration::id)
        .containsExactly("c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08");
    assertThat(cs.get(0).label()).isEqualTo("layers=1 agents=1 temperature=0.0");
    assertThat(cs.get(7).label()).isEqualTo("layers=3 agents=3 temperature=1.2");
    MoaConfig last = cs.get(7).config();
    assertThat(last.name()).isEqualTo("s-c08");
    assertThat(last.layers()).hasSize(3);
    assertThat(last.layers().get(2).agents())
        .extracting(AgentConfig::name)
        .containsExactly("a", "b", "a_2");
    assertThat(last.layers().get(2).agents())
        .extracting(AgentConfig::temperature)
        .containsOnly(1.2);
    MoaConfig first = cs.get(0).config();
    assertThat(first.layers()).hasSize(1);
    assertThat(first.layers().get(0).agents()).extracting(AgentConfig::name).containsExactly("a");
  }

  @Test
  void theYamlOfAConfigurationReadsBackToTheSameConfig() throws Exception {
    for (Configuration c : expand("dimensions: {agents: [1, 4], max_tokens: [32]}")) {
      assertThat(ConfigLoader.parse(c.yaml(), c.id() + ".yaml")).isEqualTo(c.config());
    }
  }

  @Test
  void modelListsCycleOverAgentsAndAggregatorValuesApply() throws Exception {
    List<Configuration> cs =
        expand(
            """
            dimensions:
              agents: [3]
              model: {mixed: [x, y]}
              aggregator_model: [big]
              aggregator_temperature: [0.0]
              prompt: {terse: "Be brief. {helper_response}"}
            """);

    MoaConfig c = cs.get(0).config();
    assertThat(cs.get(0).label())
        .isEqualTo(
            "agents=3 model=mixed aggregator_model=big aggregator_temperature=0.0 prompt=terse");
    assertThat(c.layers().get(0).agents())
        .extracting(AgentConfig::model)
        .containsExactly("x", "y", "x");
    assertThat(c.layers().get(1).agents())
        .extracting(AgentConfig::prompt)
        .containsOnly("Be brief. {helper_response}");
    assertThat(c.aggregator().model()).isEqualTo("big");
    assertThat(c.aggregator().temperature()).isZero();
  }

  @Test
  void randomDrawsCountDistinctCombinationsRepeatablyBySeed() throws Exception {
    String space =
        "strategy: random\ncount: 5\nseed: %d\n"
            + "dimensions: {layers: [1, 2, 3], agents: [1, 2, 3], temperature: [0.1, 0.5, 0.9]}";
    List<String> one = labels(expand(space.formatted(42)));
    List<String> again = labels(expand(space.formatted(42)));
    List<String> other = labels(expand(space.formatted(7)));

    assertThat(one).hasSize(5).doesNotHaveDuplicates();
    assertThat(again).isEqualTo(one);
    assertThat(other).hasSize(5).isNotEqualTo(one);
  }

  @Test
  void aCombinationThePipelineCannotRunNamesTheConfigurationAndField() {
    String base = BASE.replace("name: base", "name: base\nmin_successes: 2");
    assertThatThrownBy(
            () ->
                SpaceExpander.expand(
                    SpaceParser.parse("dimensions: {agents: [1, 2]}", "space.yaml"),
                    ConfigLoader.parse(base, "base.yaml"),
                    "space.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("space.yaml: configuration c01 (agents=1): min_successes: 2")
        .hasMessageNotContaining("c02");
  }

  private static List<String> labels(List<Configuration> cs) {
    return cs.stream().map(Configuration::label).toList();
  }
}
