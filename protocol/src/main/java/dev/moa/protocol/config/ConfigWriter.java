package dev.moa.protocol.config;

import java.util.List;
import java.util.Map;

/**
 * Writes a config as YAML that {@link ConfigLoader} reads back to an equal {@link MoaConfig}: the
 * explicit-layers form, every field spelled out, built-in providers left out unless changed. The
 * output is deterministic (same config, same text), so it can be hashed.
 */
public final class ConfigWriter {

  private ConfigWriter() {}

  public static String toYaml(MoaConfig config) {
    StringBuilder out = new StringBuilder();
    out.append("name: ").append(YamlText.scalar(config.name())).append('\n');

    Map<String, ProviderConfig> builtIns = ProviderConfig.builtIns();
    boolean providersHeader = false;
    for (Map.Entry<String, ProviderConfig> entry : config.providers().entrySet()) {
      ProviderConfig provider = entry.getValue();
      if (provider.equals(builtIns.get(entry.getKey()))) {
        continue;
      }
      if (!providersHeader) {
        out.append("providers:\n");
        providersHeader = true;
      }
      out.append("  ").append(YamlText.scalar(entry.getKey())).append(":\n");
      out.append("    base_url: ").append(YamlText.scalar(provider.baseUrl())).append('\n');
      out.append("    api_key_env: ")
          .append(provider.apiKeyEnv() == null ? "null" : YamlText.scalar(provider.apiKeyEnv()))
          .append('\n');
      out.append("    simulate_without_key: ").append(provider.simulateWithoutKey()).append('\n');
    }

    out.append("layers:\n");
    for (LayerConfig layer : config.layers()) {
      switch (layer.kind()) {
        case AGENTS -> {
          out.append("  - agents:\n");
          for (AgentConfig agent : layer.agents()) {
            out.append("      - name: ").append(YamlText.scalar(agent.name())).append('\n');
            call(out, "        ", agent);
          }
        }
        case SELF_MOA -> {
          AgentConfig first = layer.agents().get(0);
          out.append("  - self_moa:\n");
          out.append("      name: ").append(YamlText.scalar(layer.samplerName())).append('\n');
          call(out, "      ", first);
          out.append("      samples: ").append(layer.agents().size()).append('\n');
        }
        case CRITIC -> {
          AgentConfig critic = layer.agents().get(0);
          out.append("  - critic:\n");
          out.append("      name: ").append(YamlText.scalar(critic.name())).append('\n');
          call(out, "      ", critic);
          out.append("    retry_layer: ").append(layer.retryLayer()).append('\n');
          out.append("    max_retries: ").append(layer.maxRetries()).append('\n');
        }
      }
    }

    AggregatorConfig aggregator = config.aggregator();
    out.append("aggregator:\n");
    if (aggregator.mode() == AggregatorConfig.Mode.VOTE) {
      out.append("  mode: vote\n");
      out.append("  provider: ").append(YamlText.scalar(aggregator.provider())).append('\n');
      if (aggregator.votePattern() != null) {
        out.append("  vote_pattern: ")
            .append(YamlText.quoted(aggregator.votePattern()))
            .append('\n');
      }
    } else {
      if (aggregator.mode() == AggregatorConfig.Mode.BEST_OF_N) {
        out.append("  mode: best_of_n\n");
      }
      call(
          out,
          "  ",
          aggregator.model(),
          aggregator.provider(),
          aggregator.temperature(),
          aggregator.maxTokens(),
          aggregator.prompt());
    }

    out.append("reference_prompt: ").append(YamlText.quoted(config.referencePrompt())).append('\n');
    out.append("min_successes: ").append(config.minSuccesses()).append('\n');
    out.append("layer_timeout: ").append(Durations.format(config.layerTimeout())).append('\n');

    if (!config.prices().isEmpty()) {
      out.append("prices:\n");
      for (Map.Entry<String, ModelPrice> entry : config.prices().entrySet()) {
        out.append("  ").append(YamlText.scalar(entry.getKey())).append(":\n");
        out.append("    input: ")
            .append(YamlText.number(entry.getValue().inputPerMillion()))
            .append('\n');
        out.append("    output: ")
            .append(YamlText.number(entry.getValue().outputPerMillion()))
            .append('\n');
      }
    }
    return out.toString();
  }

  private static void call(StringBuilder out, String indent, AgentConfig agent) {
    call(
        out,
        indent,
        agent.model(),
        agent.provider(),
        agent.temperature(),
        agent.maxTokens(),
        agent.prompt());
  }

  private static void call(
      StringBuilder out,
      String indent,
      String model,
      String provider,
      double temperature,
      int maxTokens,
      String prompt) {
    for (List<String> field :
        List.of(
            List.of("model", YamlText.scalar(model)),
            List.of("provider", YamlText.scalar(provider)),
            List.of("temperature", YamlText.number(temperature)),
            List.of("max_tokens", Integer.toString(maxTokens)),
            List.of("prompt", YamlText.quoted(prompt)))) {
      out.append(indent).append(field.get(0)).append(": ").append(field.get(1)).append('\n');
    }
  }
}
