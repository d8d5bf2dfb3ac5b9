package dev.moa.protocol.prompt;

import java.util.Objects;

/** One chat message ({@code system}, {@code user} or {@code assistant}). */
public record Message(String role, String content) {

  public Message {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
