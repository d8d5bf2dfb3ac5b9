package dev.moa.provider;

/** Token counts reported by the provider; zeros when the server reported none. */
public record Usage(int promptTokens, int completionTokens) {
  public static final Usage ZERO = new Usage(0, 0);

  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
