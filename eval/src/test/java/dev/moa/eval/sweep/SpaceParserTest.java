package dev.moa.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.config.ConfigException;
import org.junit.jupiter.api.Test;

class SpaceParserTest {

  private static String errors(String yaml) {
    try {
      SpaceParser.parse(yaml, "space.yaml");
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected errors for:\n" + yaml);
  }

  @Test
  void readsAGridWithListsAndLabelledValues() throws Exception {
    SweepSpace s =
        SpaceParser.parse(
            """
            name: demo
            base: ../workshop.yaml
            dimensions:
              layers: [1, 2]
              temperature: [0.1, 0.7]
              prompt: {terse: "Be brief. {helper_response}", stepwise: "Step by step."}
            """,
            "dir/demo-space.yaml");

    assertThat(s.name()).isEqualTo("demo");
    assertThat(s.base()).isEqualTo("../workshop.yaml");
    assertThat(s.strategy()).isEqualTo(SweepSpace.Strategy.GRID);
    assertThat(s.dimensions())
        .extracting(SweepSpace.Dimension::name)
        .containsExactly("layers", "temperature", "prompt");
    assertThat(s.dimensions().get(2).choices())
        .extracting(SweepSpace.Choice::label)
        .containsExactly("terse", "stepwise");
    assertThat(s.dimensions().get(1).choices())
        .extracting(SweepSpace.Choice::label)
        .containsExactly("0.1", "0.7");
    assertThat(s.gridSize()).isEqualTo(8);
  }

  @Test
  void nameDefaultsToTheFileBaseName() throws Exception {
    SweepSpace s = SpaceParser.parse("dimensions: {agents: [1, 2]}", "a/b/my-sweep.yaml");
    assertThat(s.name()).isEqualTo("my-sweep");
  }

  @Test
  void badValuesAreNamedByTheirFieldPath() {
    String message =
        errors(
            """
            strategy: grid
            dimensions:
              temperature: [0.1, 3.5]
              layers: [0, 2]
              agents: [two]
              model: [llama, [qwen, 7]]
              colour: [red]
            """);

    assertThat(message)
        .contains("space.yaml: dimensions.temperature[1]: 3.5 is outside 0..2")
        .contains("space.yaml: dimensions.layers[0]: 0 is not a whole number in 1..20")
        .contains("space.yaml: dimensions.agents[0]: 'two' is not a whole number in 1..64")
        .contains("space.yaml: dimensions.model[1][1]: 7 is not a model name")
        .contains("space.yaml: dimensions.colour: unknown dimension");
  }

  @Test
  void randomNeedsACountAndGridRefusesOne() {
    assertThat(errors("strategy: random\ndimensions: {agents: [1, 2]}"))
        .contains("space.yaml: count: required with strategy: random");
    assertThat(errors("count: 3\ndimensions: {agents: [1, 2]}"))
        .contains("space.yaml: count: only with strategy: random");
    assertThat(errors("strategy: random\ncount: 5\ndimensions: {agents: [1, 2]}"))
        .contains("space.yaml: count: 5 is more than the 2 combinations");
    assertThat(errors("strategy: best\ndimensions: {agents: [1]}"))
        .contains("space.yaml: strategy: 'best' is not a strategy; expected grid or random");
  }

  @Test
  void emptyDimensionsDuplicatesAndUnknownFieldsAreErrors() {
    assertThat(errors("name: x\n")).contains("space.yaml: dimensions: required");
    assertThat(errors("dimensions: {temperature: []}"))
        .contains("space.yaml: dimensions.temperature: [] is not a list of values");
    assertThat(errors("dimensions: {temperature: [0.7, 0.7]}"))
        .contains("space.yaml: dimensions.temperature[1]: duplicate value 0.7");
    assertThat(errors("dimension: {agents: [1]}\ndimensions: {agents: [1]}"))
        .contains("space.yaml: dimension: unknown field");
    assertThat(errors("name: 'bad name'\ndimensions: {agents: [1]}"))
        .contains("space.yaml: name: 'bad name' is not a name");
  }

  @Test
  void aGridLargerThanTheLimitMustBeRandom() {
    assertThat(
            errors(
                "dimensions: {layers: [1,2,3,4,5,6,7,8,9,10], agents: [1,2,3,4,5,6,7,8,9,10],"
                    + " max_tokens: [1,2,3,4,5,6,7,8,9,10,11]}"))
        .contains("dimensions: the grid has 1100 configurations, more than 1000");
  }

  @Test
  void syntaxErrorsGiveTheLine() {
    assertThatThrownBy(() -> SpaceParser.parse("dimensions:\n  layers: [1, 2\n", "s.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("s.yaml: YAML syntax error");
  }
}
