package dev.moa.simulator;

import java.util.List;
import java.util.Objects;

/**
 * A chat completion request as the simulator understood it. {@code temperature} and {@code
 * maxTokens} are the effective values (defaults applied); {@code seed} is null when absent.
 */
public record ReceivedCall(
    String model,
    List<Message> messages,
    double temperature,
    int maxTokens,
    boolean stream,
    Long seed) {

  public ReceivedCall {
    Objects.requireNonNull(model, "model");
    messages = List.copyOf(messages);
  }

  public record Message(String role, String content) {
    public Message {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(content, "content");
    }
  }
}
