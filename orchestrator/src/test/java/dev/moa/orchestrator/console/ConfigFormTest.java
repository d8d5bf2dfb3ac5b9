package dev.moa.orchestrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class ConfigFormTest {

  @Test
  void aConfigsFormIsItsFileShapeAndReadsBackToTheSameConfig() {
    MoaConfig workshop = ConfigLoader.defaultConfig();
    ObjectNode form = ConfigForm.of(workshop);

    assertThat(form.path("layers")).hasSize(3);
    assertThat(form.path("layers").get(0).path("agents").get(1).path("model").asString())
        .isEqualTo("qwen-3-32b");
    assertThat(form.path("aggregator").path("max_tokens").asInt()).isEqualTo(2048);
    var checked = ConfigForm.check(form.toString(), "workshop.yaml");
    assertThat(checked).isInstanceOf(ConfigForm.Valid.class);
    assertThat(((ConfigForm.Valid) checked).config()).isEqualTo(workshop);
  }

  @Test
  void everyBadFieldOfAFormIsReportedWithItsPathAndValue() {
    ObjectNode form = ConfigForm.of(ConfigLoader.defaultConfig());
    ((ObjectNode) form.path("layers").get(1).path("agents").get(0)).put("temperature", 3.5);
    ((ObjectNode) form.path("aggregator")).put("max_tokens", 0);

    var checked = ConfigForm.check(form.toString(), "workshop.yaml");

    assertThat(checked).isInstanceOf(ConfigForm.Invalid.class);
    var errors = ((ConfigForm.Invalid) checked).errors();
    assertThat(errors)
        .anySatisfy(
            e -> {
              assertThat(e.path()).isEqualTo("layers[1].agents[0].temperature");
              assertThat(e.message()).contains("3.5");
            })
        .anySatisfy(e -> assertThat(e.path()).isEqualTo("aggregator.max_tokens"));
  }

  @Test
  void aFormThatIsNotJsonIsOneDocumentError() {
    var checked = ConfigForm.check("{\"name\": ", "x.yaml");
    assertThat(checked).isInstanceOf(ConfigForm.Invalid.class);
    assertThat(((ConfigForm.Invalid) checked).errors().get(0).path()).isEmpty();
    assertThat(((ConfigForm.Invalid) checked).errors().get(0).message()).contains("not JSON");
  }

  @Test
  void promptsWithQuotesNewlinesAndBracesSurviveTheRoundTrip() {
    ObjectNode form = ConfigForm.of(ConfigLoader.defaultConfig());
    String prompt = "Say \"hi\":\n\t- {literal} # not a comment: yes\n{helper_response}";
    ((ObjectNode) form.path("layers").get(0).path("agents").get(0)).put("prompt", prompt);

    var checked = (ConfigForm.Valid) ConfigForm.check(form.toString(), "workshop.yaml");

    assertThat(checked.config().layers().get(0).agents().get(0).prompt()).isEqualTo(prompt);
    assertThat(ConfigLoader.defaultConfig()).isNotEqualTo(checked.config());
  }
}
