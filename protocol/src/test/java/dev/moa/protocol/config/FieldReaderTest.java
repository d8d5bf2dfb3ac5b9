package dev.moa.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Typed reads: the value when it is good, else null and one error naming path and value. */
class FieldReaderTest {

  private static final YAMLMapper YAML = new YAMLMapper();

  private static JsonNode yaml(String text) {
    return YAML.readTree(text);
  }

  private final FieldReader read = new FieldReader();

  private String onlyError() {
    assertThat(read.errors()).hasSize(1);
    ConfigError e = read.errors().get(0);
    return e.path() + ": " + e.message();
  }

  @Test
  void anAbsentOptionalFieldIsNullWithoutAnError() {
    JsonNode agent = yaml("{name: a, temperature: null}");

    assertThat(read.number(agent, "temperature", "agents[0]")).isNull();
    assertThat(read.string(agent, "model", "agents[0]")).isNull();
    assertThat(read.integer(agent, "max_tokens", "agents[0]")).isNull();
    assertThat(read.bool(agent, "simulate_without_key", "agents[0]")).isNull();
    assertThat(read.errors()).isEmpty();
  }

  @Test
  void goodValuesAreReadWithoutErrors() {
    JsonNode node = yaml("{name: a, t: 0.5, n: 3.0, big: 99999999999999999999, flag: true}");

    assertThat(read.string(node, "name", "")).isEqualTo("a");
    assertThat(read.number(node, "t", "")).isEqualTo(0.5);
    assertThat(read.integer(node, "n", "")).isEqualTo(3L);
    assertThat(read.integer(node, "big", "")).isEqualTo(Long.MAX_VALUE);
    assertThat(read.bool(node, "flag", "")).isTrue();
    assertThat(read.errorCount()).isZero();
  }

  @Test
  void aFieldOfTheWrongTypeIsReportedAtItsPathWithItsValue() {
    JsonNode layer = yaml("{agents: [{temperature: hot}]}");
    JsonNode agent = layer.get("agents").get(0);

    assertThat(read.number(agent, "temperature", "layers[1].agents[0]")).isNull();

    assertThat(onlyError()).isEqualTo("layers[1].agents[0].temperature: \"hot\" is not a number");
  }

  @Test
  void aScalarWhereAStringBelongsGetsAQuotingHint() {
    assertThat(read.string(yaml("{name: 3}"), "name", "")).isNull();
    assertThat(read.string(yaml("{name: [a]}"), "name", "")).isNull();

    assertThat(read.errors())
        .extracting(e -> e.path() + ": " + e.message())
        .containsExactly(
            "name: 3 is not a string; put the value in quotes", "name: a list is not a string");
  }

  @Test
  void aFractionIsNotAWholeNumber() {
    assertThat(read.integer(yaml("{max_tokens: 10.5}"), "max_tokens", "aggregator")).isNull();

    assertThat(onlyError()).isEqualTo("aggregator.max_tokens: 10.5 is not a whole number");
  }

  @Test
  void aBooleanMustBeTrueOrFalse() {
    assertThat(read.bool(yaml("{sim: \"yes\"}"), "sim", "providers.p")).isNull();

    assertThat(onlyError()).isEqualTo("providers.p.sim: \"yes\" is not a boolean (true or false)");
  }

  @Test
  void wholeInWantsAnIntegerInItsRange() {
    JsonNode values = yaml("[3, 0, 2.0, x, 99999999999999999999]");

    assertThat(read.wholeIn(values.get(0), "v[0]", 1, 20)).isEqualTo(3L);
    for (int i = 1; i < values.size(); i++) {
      assertThat(read.wholeIn(values.get(i), "v[" + i + "]", 1, 20)).isNull();
    }
    assertThat(read.wholeIn(null, "v[5]", 1, 20)).isNull();

    assertThat(read.errors())
        .extracting(e -> e.path() + ": " + e.message())
        .containsExactly(
            "v[1]: 0 is not a whole number in 1..20",
            "v[2]: 2.0 is not a whole number in 1..20",
            "v[3]: \"x\" is not a whole number in 1..20",
            "v[4]: 99999999999999999999 is not a whole number in 1..20",
            "v[5]: null is not a whole number in 1..20");
  }

  @Test
  void textMustBeANonBlankString() {
    assertThat(read.text(yaml("m"), "model", "a model name")).isEqualTo("m");
    assertThat(read.text(yaml("' '"), "model", "a model name")).isNull();

    assertThat(onlyError()).isEqualTo("model: \" \" is not a model name");
  }

  @Test
  void numberValueAppendsItsHint() {
    assertThat(read.numberValue(yaml("x"), "t[2]", "; a temperature is 0..2")).isNull();

    assertThat(onlyError()).isEqualTo("t[2]: \"x\" is not a number; a temperature is 0..2");
  }

  @Test
  void aReaderShowsValuesItsOwnWay() {
    FieldReader single = new FieldReader(v -> "'" + v.asString() + "'");

    assertThat(single.numberValue(yaml("hot"), "t", "")).isNull();

    assertThat(single.errors().get(0).message()).isEqualTo("'hot' is not a number");
  }

  @Test
  void showQuotesEscapesAndShortensText() {
    assertThat(FieldReader.show(yaml("\"a\\\"b\\n\\tc\""))).isEqualTo("\"a\\\"b\\n\\tc\"");
    assertThat(FieldReader.show(yaml("[1]"))).isEqualTo("a list");
    assertThat(FieldReader.show(yaml("{a: 1}"))).isEqualTo("a mapping");
    assertThat(FieldReader.show(null)).isEqualTo("null");
    assertThat(FieldReader.quote("x".repeat(61))).isEqualTo("\"" + "x".repeat(57) + "...\"");
  }

  @Test
  void pathsJoinUnderTheirParent() {
    assertThat(FieldReader.join("", "name")).isEqualTo("name");
    assertThat(FieldReader.join("layers[0]", "agents")).isEqualTo("layers[0].agents");
  }
}
