package dev.moa.provider;

/**
 * Where to send a call. {@code apiKey} may be null (then no {@code Authorization} header is sent);
 * it is never printed: {@link #toString()} masks it.
 */
public record Endpoint(String providerName, String baseUrl, String apiKey) {
  public Endpoint {
    if (providerName == null || providerName.isBlank()) {
      throw new IllegalArgumentException(
          "providerName must not be blank but was '" + providerName + "'");
    }
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("baseUrl must not be blank but was '" + baseUrl + "'");
    }
  }

  /** True when an {@code Authorization: Bearer} header will be sent. */
  public boolean hasApiKey() {
    return apiKey != null && !apiKey.isBlank();
  }

  /** {@code baseUrl + "/chat/completions"}, tolerating trailing slashes on the base URL. */
  public String chatCompletionsUrl() {
    String base = baseUrl.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base + "/chat/completions";
  }

  /**
   * Replaces every occurrence of the API key in {@code text} with {@code ***}. Keys shorter than 4
   * characters are left alone: they are no secret, and replacing them would garble the text.
   */
  String redact(String text) {
    if (text == null || apiKey == null || apiKey.strip().length() < 4) {
      return text;
    }
    return text.replace(apiKey, "***");
  }

  @Override
  public String toString() {
    return "Endpoint[providerName="
        + providerName
        + ", baseUrl="
        + baseUrl
        + ", apiKey="
        + (apiKey == null ? "<none>" : "***")
        + "]";
  }
}
