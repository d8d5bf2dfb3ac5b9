package dev.moa.provider;

import java.util.List;
import java.util.Objects;

/**
 * A chat-completions request. {@code maxTokens} is sent both as {@code max_completion_tokens} and
 * {@code max_tokens} so old and new OpenAI-compatible servers honour it; {@code seed} is optional.
 */
public record ChatRequest(
    String model, List<ChatMessage> messages, double temperature, int maxTokens, Long seed) {
  public ChatRequest {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank but was '" + model + "'");
    }
    Objects.requireNonNull(messages, "messages");
    messages = List.copyOf(messages);
    if (!Double.isFinite(temperature) || temperature < 0) {
      throw new IllegalArgumentException(
          "temperature must be a finite number >= 0 but was " + temperature);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1 but was " + maxTokens);
    }
  }
}
