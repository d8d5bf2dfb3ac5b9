package dev.moa.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Chat calls counted per API key, the key known only by a fingerprint (never stored, logged or
 * served): {@code GET /v1/simulator/keys} lets a test check that a key really travelled over HTTP
 * without the simulator becoming a place where the key could leak.
 */
public final class ApiKeyLedger {

  /** Calls without an {@code Authorization: Bearer} header. */
  public static final String NO_KEY = "none";

  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

  /** Counts one call with this {@code Authorization} header value (null when absent). */
  public void record(String authorization) {
    calls.computeIfAbsent(fingerprintOfHeader(authorization), k -> new LongAdder()).increment();
  }

  /** Calls per key fingerprint. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  static String fingerprintOfHeader(String authorization) {
    if (authorization == null
        || authorization.length() <= 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return NO_KEY;
    }
    return fingerprint(authorization.substring(7).strip());
  }

  /** {@code sha256:} and the first 16 hex digits of the key's SHA-256. */
  public static String fingerprint(String key) {
    return "sha256:" + sha256Hex(key, 8);
  }

  /** The first {@code bytes} bytes of the key's SHA-256, in hex: how the simulator names a key. */
  static String sha256Hex(String key, int bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
