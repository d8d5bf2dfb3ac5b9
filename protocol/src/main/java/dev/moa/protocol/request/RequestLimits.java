package dev.moa.protocol.request;

import dev.moa.protocol.prompt.Message;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How big a request may be before it is refused, checked before anything reaches Kafka: the prompt
 * (every message's content, UTF-8 bytes) and the number of messages. The defaults keep a request
 * record far below Kafka's 1 MB message limit while fitting any realistic prompt (~64k tokens).
 *
 * @param maxPromptBytes UTF-8 bytes of all message contents together
 * @param maxMessages messages in the conversation
 */
public record RequestLimits(int maxPromptBytes, int maxMessages) {

  public static final int DEFAULT_MAX_PROMPT_BYTES = 256 * 1024;
  public static final int DEFAULT_MAX_MESSAGES = 100;
  public static final RequestLimits DEFAULT =
      new RequestLimits(DEFAULT_MAX_PROMPT_BYTES, DEFAULT_MAX_MESSAGES);

  public RequestLimits {
    if (maxPromptBytes < 1) {
      throw new IllegalArgumentException("max prompt bytes: " + maxPromptBytes + " must be >= 1");
    }
    if (maxMessages < 1) {
      throw new IllegalArgumentException("max messages: " + maxMessages + " must be >= 1");
    }
  }

  /** Throws when the conversation is over a limit; the message names the limit and the size. */
  public void check(List<Message> conversation) {
    if (conversation.size() > maxMessages) {
      throw new RequestTooLargeException(
          "messages: " + conversation.size() + " messages exceed the limit of " + maxMessages);
    }
    long bytes = 0;
    for (Message m : conversation) {
      bytes += m.content().getBytes(StandardCharsets.UTF_8).length;
    }
    if (bytes > maxPromptBytes) {
      throw new RequestTooLargeException(
          "prompt: " + bytes + " bytes exceed the limit of " + maxPromptBytes + " bytes");
    }
  }

  /** A request over one of the limits. */
  public static final class RequestTooLargeException extends IllegalArgumentException {
    public RequestTooLargeException(String message) {
      super(message);
    }
  }
}
