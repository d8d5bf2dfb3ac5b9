package dev.moa.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigWriterTest {

  @Test
  void defaultConfigReadsBackEqual() throws ConfigException {
    MoaConfig config = ConfigLoader.defaultConfig();

    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config), "written.yaml")).isEqualTo(config);
  }

  @Test
  void writtenYamlUsesTheExpandedLayersFormAndOmitsUnchangedBuiltIns() {
    String yaml = ConfigWriter.toYaml(ConfigLoader.defaultConfig());

    assertThat(yaml)
        .startsWith(
            """
            name: workshop
            providers:
              cerebras:
                base_url: "https://api.cerebras.ai/v1"
                api_key_env: CEREBRAS_API_KEY
                simulate_without_key: true
            layers:
              - agents:
                  - name: layer_agent_1
                    model: llama-4-scout-17b-16e-instruct
                    provider: cerebras
                    temperature: 0.3
                    max_tokens: 2048
                    prompt: "Think through your response step by step. {helper_response}"
            """);
    assertThat(yaml).doesNotContain("openai", "together", "simulator:");
    assertThat(yaml.split("- agents:", -1)).hasSize(4);
    assertThat(yaml)
        .endsWith(
            """
            aggregator:
              model: llama-3.3-70b
              provider: cerebras
              temperature: 0.1
              max_tokens: 2048
              prompt: "You are a personal assistant that is helpful.\\n\\n{helper_response}"
            reference_prompt: "You have been provided with a set of responses from various \
            open-source models to the latest user query. Your task is to synthesize these \
            responses into a single, high-quality response. It is crucial to critically evaluate \
            the information provided in these responses, recognizing that some of it may be biased \
            or incorrect. Your response should not simply replicate the given answers but should \
            offer a refined, accurate, and comprehensive reply to the instruction. Ensure your \
            response is well-structured, coherent, and adheres to the highest standards of \
            accuracy and reliability.\\n\\nResponses from models:"
            min_successes: 1
            layer_timeout: 5m
            """);
  }

  @Test
  void trickyStringsNumbersDurationsAndProvidersReadBackEqual() throws ConfigException {
    Map<String, ProviderConfig> providers = new LinkedHashMap<>(ProviderConfig.builtIns());
    providers.put(
        "mylab", new ProviderConfig("mylab", "http://localhost:8000/v1", "MYLAB_KEY", false));
    providers.put("openai", new ProviderConfig("openai", "https://proxy.example/v1", null, true));
    providers.put("9lives", new ProviderConfig("9lives", "builtin:simulator", null, false));
    String[] prompts = {
      "",
      "yes",
      "null",
      "123",
      "1.10",
      "  leading and trailing  ",
      "line\nbreaks\r\nand\ttabs\n",
      "quotes \" ' and \\ backslashes \\n",
      "# not a comment: {helper_response} - [x] {y}: *z &a !tag %p @q `r`",
      "unicode é 中文 😀 \u0085 \u2028 \u007f \u0001 \ufeff",
      "{helper_response}"
    };
    List<AgentConfig> agents = new java.util.ArrayList<>();
    for (int i = 0; i < prompts.length; i++) {
      agents.add(
          new AgentConfig(
              "a." + i, "true", i % 2 == 0 ? "mylab" : "9lives", 0.1 * i % 2, 1 + i, prompts[i]));
    }
    MoaConfig config =
        new MoaConfig(
            "tricky-1.0",
            List.of(
                new LayerConfig(agents),
                new LayerConfig(List.of(new AgentConfig("x", "1e3", "openai", 2.0, 7, "p")))),
            new AggregatorConfig("meta/llama:70b", "simulator", 1.0E-5, 1_000_000, "a: b\n"),
            "Refs: 'quoted' \"double\"",
            providers,
            1,
            Duration.ofMillis(1500),
            Map.of("gpt-4o:latest", new ModelPrice(2.5, 10), "no", new ModelPrice(0.000001, 1e6)));

    String yaml = ConfigWriter.toYaml(config);

    assertThat(ConfigLoader.parse(yaml, "written.yaml")).isEqualTo(config);
  }

  @Test
  void durationsAreWrittenInTheirShortestForm() throws ConfigException {
    for (Duration d :
        List.of(
            Duration.ZERO,
            Duration.ofMillis(1),
            Duration.ofMillis(1500),
            Duration.ofSeconds(90),
            Duration.ofMinutes(2),
            Duration.ofHours(3),
            Duration.ofNanos(1))) {
      MoaConfig config = withTimeout(ConfigLoader.parse(ConfigValidationTest.VALID, "x.yaml"), d);

      assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config), "x.yaml").layerTimeout())
          .isEqualTo(d);
    }
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(120))).isEqualTo("2h");
    assertThat(Durations.format(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(Durations.format(Duration.ofNanos(1))).isEqualTo("PT0.000000001S");
  }

  @Test
  void sameConfigGivesTheSameText() {
    assertThat(ConfigWriter.toYaml(ConfigLoader.defaultConfig()))
        .isEqualTo(ConfigWriter.toYaml(ConfigLoader.defaultConfig()));
  }

  private static MoaConfig withTimeout(MoaConfig c, Duration timeout) {
    return new MoaConfig(
        c.name(),
        c.layers(),
        c.aggregator(),
        c.referencePrompt(),
        c.providers(),
        c.minSuccesses(),
        timeout,
        c.prices());
  }
}
