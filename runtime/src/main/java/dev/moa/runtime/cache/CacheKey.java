package dev.moa.runtime.cache;

import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The response-cache key of a call: lowercase SHA-256 hex of a canonical encoding of everything
 * that decides a temperature-0 answer — provider name and base URL, model, the messages (role and
 * content, in order) and max_tokens.
 *
 * <p>The encoding is a version tag followed by every field as a 4-byte big-endian length and its
 * UTF-8 bytes (max_tokens and the message count as 4-byte integers), so no two different inputs
 * encode to the same bytes: {@code ["ab","c"]} and {@code ["a","bc"]} differ, as do a role that
 * ends where a content begins. The base URL is compared as the provider client uses it: surrounding
 * blanks and trailing slashes do not count.
 *
 * <p>Not part of the key: temperature (only 0 is ever cached), seed (irrelevant at temperature 0
 * for a deterministic model), the API key's variable (the same provider answers the same whoever
 * pays), and task, request and agent identities.
 */
public final class CacheKey {

  /** Bump when the encoding changes: old entries then simply never match again. */
  static final String VERSION = "moa-response-cache-v1";

  private CacheKey() {}

  /** True when a task may use the cache: it asked for it and its temperature is exactly 0. */
  public static boolean cacheable(AgentTask task) {
    return task.getUseCache() && task.getTemperature() == 0.0;
  }

  /** The key of a (valid) task's call. */
  public static String of(AgentTask task) {
    ProviderRef p = Objects.requireNonNull(task.getProvider(), "provider");
    return of(
        p.getName(), p.getBaseUrl(), task.getModel(), task.getMessages(), task.getMaxTokens());
  }

  /** The key of a call with these values. */
  public static String of(
      String providerName,
      String baseUrl,
      String model,
      List<ChatMessage> messages,
      int maxTokens) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      string(out, VERSION);
      string(out, providerName);
      string(out, normalizeBaseUrl(baseUrl));
      string(out, model);
      out.writeInt(messages.size());
      for (ChatMessage m : messages) {
        string(out, m.getRole());
        string(out, m.getContent());
      }
      out.writeInt(maxTokens);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream never throws
    }
    return HexFormat.of().formatHex(sha256().digest(bytes.toByteArray()));
  }

  static String normalizeBaseUrl(String baseUrl) {
    String base = Objects.requireNonNull(baseUrl, "baseUrl").strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base;
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] utf8 = Objects.requireNonNull(s, "key field").getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
