package dev.moa.protocol.config;

import java.util.Objects;

/**
 * One layer agent: a single model call.
 *
 * @param name unique within its layer ({@code [A-Za-z0-9_.-]{1,64}})
 * @param model the provider's model id
 * @param provider a key of {@link MoaConfig#providers()}
 * @param temperature 0..2
 * @param maxTokens 1..1000000
 * @param prompt system prompt template with at most one literal {@code {helper_response}}
 */
public record AgentConfig(
    String name, String model, String provider, double temperature, int maxTokens, String prompt) {

  public AgentConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(prompt, "prompt");
  }
}
