package dev.moa.protocol.config;

import java.util.Objects;

/**
 * The aggregator: the model call that writes the final answer from the last layer's outputs.
 *
 * @param model the provider's model id
 * @param provider a key of {@link MoaConfig#providers()}
 * @param temperature 0..2
 * @param maxTokens 1..1000000
 * @param prompt system prompt template with at most one literal {@code {helper_response}}
 */
public record AggregatorConfig(
    String model, String provider, double temperature, int maxTokens, String prompt) {

  public AggregatorConfig {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(prompt, "prompt");
  }
}
