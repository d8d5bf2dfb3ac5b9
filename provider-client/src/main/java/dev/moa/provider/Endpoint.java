package dev.moa.provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

  /**
   * Whose rate limits a call spends: the provider's name, then a digest of its base URL and API key
   * (never the key itself), e.g. {@code cerebras@3f9a0c12d4e5}. Two endpoints with the same name
   * but another key or server are limited apart.
   */
  public String limitKey() {
    String identity = baseUrl.strip() + '\u0000' + (apiKey == null ? "" : apiKey.strip());
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return providerName + "@" + HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
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
