package dev.moa.orchestrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.SeedImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SeedExportTest {

  @Test
  void anExportImportsBackToTheSameAgentsAggregatorAndLayerCount() throws Exception {
    MoaConfig workshop = ConfigLoader.defaultConfig();
    SeedExport.Export export = SeedExport.of(workshop, Instant.parse("2026-01-02T03:04:05Z"));

    assertThat(export.json().path("version").asString()).isEqualTo("2.0");
    assertThat(export.json().path("exported_at").asString()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(export.warnings()).isEmpty();
    MoaConfig back =
        ConfigLoader.parse(
            SeedImporter.toYaml(export.json().toString(), "workshop.json"), "workshop.yaml");
    assertThat(back.layers()).isEqualTo(workshop.layers());
    assertThat(back.aggregator()).isEqualTo(workshop.aggregator());
  }

  @Test
  void theSeedExampleSurvivesImportThenExportButForAgentNamesMadeValid() throws Exception {
    String seed = Files.readString(Path.of("../configs/seed-example.json"));
    MoaConfig imported =
        ConfigLoader.parse(SeedImporter.toYaml(seed, "seed-example.json"), "seed-example.yaml");
    SeedExport.Export export = SeedExport.of(imported, Instant.EPOCH);
    // The importer makes "Agent 3" (allowed by the seed app) a valid name, Agent_3.
    var original =
        tools.jackson.databind.json.JsonMapper.builder()
            .build()
            .readTree(seed.replace("\"Agent 3\"", "\"Agent_3\""));
    assertThat(export.json().path("ai_configuration")).isEqualTo(original.path("ai_configuration"));
  }

  @Test
  void whatTheSeedFormatCannotHoldIsNamedInTheWarnings() throws Exception {
    MoaConfig mixed =
        ConfigLoader.parse(
            """
            name: mixed
            layers:
              - agents: [{name: a, model: m1, provider: simulator, temperature: 0.1, max_tokens: 8, prompt: "p"}]
              - agents: [{name: b, model: m2, provider: simulator, temperature: 0.1, max_tokens: 8, prompt: "q {helper_response}"}]
            aggregator: {model: agg, provider: simulator, temperature: 0, max_tokens: 8, prompt: "{helper_response}"}
            """,
            "mixed.yaml");
    assertThat(SeedExport.of(mixed, Instant.EPOCH).warnings())
        .anySatisfy(w -> assertThat(w).startsWith("layers[1] has other agents"))
        .anySatisfy(w -> assertThat(w).contains("cerebras"));
  }
}
