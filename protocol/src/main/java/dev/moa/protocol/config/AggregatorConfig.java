package dev.moa.protocol.config;

import java.util.Objects;

/**
 * The aggregator: how the final answer is made from the last layer's outputs.
 *
 * @param model the provider's model id (for {@link Mode#VOTE}, which calls no model: {@code vote})
 * @param provider a key of {@link MoaConfig#providers()}
 * @param temperature 0..2
 * @param maxTokens 1..1000000
 * @param prompt system prompt template with at most one literal {@code {helper_response}}
 * @param mode synthesize (one call writes the answer), vote (majority over the candidates'
 *     extracted answers, no call) or best_of_n (a judge call picks one candidate)
 * @param votePattern VOTE: a regex whose first group (or whole match) is a candidate's answer; null
 *     for the default extraction
 */
public record AggregatorConfig(
    String model,
    String provider,
    double temperature,
    int maxTokens,
    String prompt,
    Mode mode,
    String votePattern) {

  /** How the final answer is made. */
  public enum Mode {
    SYNTHESIZE,
    VOTE,
    BEST_OF_N
  }

  public AggregatorConfig {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(mode, "mode");
  }

  /** A synthesizing aggregator. */
  public AggregatorConfig(
      String model, String provider, double temperature, int maxTokens, String prompt) {
    this(model, provider, temperature, maxTokens, prompt, Mode.SYNTHESIZE, null);
  }
}
