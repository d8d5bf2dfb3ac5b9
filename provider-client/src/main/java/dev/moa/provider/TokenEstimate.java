package dev.moa.provider;

/**
 * What a request counts against a tokens-per-minute limit before it runs, the way Cerebras counts
 * it: input tokens + {@code max_completion_tokens}. Input tokens are estimated as a quarter of the
 * characters, rounded up, plus 4 per message (the simulator counts them the same way; a real
 * provider's tokenizer differs a little, which its {@code x-ratelimit-remaining-tokens-minute}
 * header corrects).
 */
public final class TokenEstimate {
  private TokenEstimate() {}

  /** Input estimate + max tokens. */
  public static long of(ChatRequest request) {
    return inputTokens(request) + request.maxTokens();
  }

  /** The estimate of the messages' tokens. */
  public static long inputTokens(ChatRequest request) {
    long total = 0;
    for (ChatMessage m : request.messages()) {
      String c = m.content() == null ? "" : m.content();
      total += (c.length() + 3) / 4 + 4;
    }
    return total;
  }
}
