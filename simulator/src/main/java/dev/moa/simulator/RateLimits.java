package dev.moa.simulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key rate limits as Cerebras applies them: fixed windows (a minute, or {@code window} when
 * time-scaled) of requests and tokens, tokens counted at admission as input tokens + {@code
 * max_completion_tokens}. A key is the bearer value; requests without one share the key {@link
 * #ANONYMOUS}. Keys are never stored or reported as they are: each is named by {@link #keyId}, a
 * short hash. Thread-safe.
 */
final class RateLimits {

  static final String ANONYMOUS = "anonymous";

  /** What the limiter decided for one request, with the values of its headers. */
  record Decision(
      boolean admitted,
      String keyId,
      long limitRequests,
      long remainingRequests,
      long limitTokens,
      long remainingTokens,
      long resetNanos) {

    /** Seconds until the window resets, as the {@code x-ratelimit-reset-*} headers say it. */
    String resetSeconds() {
      return String.format(java.util.Locale.ROOT, "%.3f", resetNanos / 1e9);
    }

    Duration retryAfter() {
      return Duration.ofNanos(resetNanos);
    }
  }

  /** Admitted requests and tokens and 429 answers of one key, over the simulator's life. */
  record KeyUsage(long requestsAdmitted, long tokensAdmitted, long rateLimited) {}

  private final long rpm;
  private final long tpm;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final long origin;
  private final Map<String, KeyState> keys = new ConcurrentHashMap<>();

  /**
   * @param rpm requests per window, 0 = unlimited
   * @param tpm tokens per window, 0 = unlimited
   */
  RateLimits(long rpm, long tpm, Duration window, LongSupplier nanoTime) {
    this.rpm = rpm;
    this.tpm = tpm;
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
    this.origin = nanoTime.getAsLong();
  }

  boolean enabled() {
    return rpm > 0 || tpm > 0;
  }

  long rpm() {
    return rpm;
  }

  long tpm() {
    return tpm;
  }

  /** Time until the current window ends (windows are aligned to the simulator's start). */
  Duration untilWindowEnds() {
    long now = nanoTime.getAsLong();
    long index = (now - origin) / windowNanos;
    return Duration.ofNanos(origin + (index + 1) * windowNanos - now);
  }

  /** Admits or refuses one request of {@code tokens} (input + max completion tokens). */
  Decision admit(String apiKey, long tokens) {
    String id = keyId(apiKey);
    KeyState s = keys.computeIfAbsent(id, k -> new KeyState());
    long now = nanoTime.getAsLong();
    long index = (now - origin) / windowNanos;
    long reset = origin + (index + 1) * windowNanos - now;
    synchronized (s) {
      if (s.window != index) {
        s.window = index;
        s.requests = 0;
        s.tokens = 0;
      }
      boolean ok = (rpm <= 0 || s.requests + 1 <= rpm) && (tpm <= 0 || s.tokens + tokens <= tpm);
      if (ok) {
        s.requests++;
        s.tokens += tokens;
        s.requestsAdmitted++;
        s.tokensAdmitted += tokens;
      } else {
        s.rateLimited++;
      }
      return new Decision(
          ok,
          id,
          rpm,
          rpm <= 0 ? 0 : Math.max(0, rpm - s.requests),
          tpm,
          tpm <= 0 ? 0 : Math.max(0, tpm - s.tokens),
          reset);
    }
  }

  /** Usage by key id, in first-seen order of ids. */
  Map<String, KeyUsage> usage() {
    Map<String, KeyUsage> out = new LinkedHashMap<>();
    keys.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              KeyState s = e.getValue();
              synchronized (s) {
                out.put(
                    e.getKey(), new KeyUsage(s.requestsAdmitted, s.tokensAdmitted, s.rateLimited));
              }
            });
    return out;
  }

  /**
   * A key's name in stats and metrics: {@link #ANONYMOUS} without a key, else {@code key-} and the
   * first 12 hex digits of its SHA-256, so the key itself never appears.
   */
  static String keyId(String apiKey) {
    if (apiKey == null || apiKey.isBlank()) {
      return ANONYMOUS;
    }
    return "key-" + ApiKeyLedger.sha256Hex(apiKey, 6);
  }

  /** The bearer value of an {@code Authorization} header; null when there is none. */
  static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String a = authorization.strip();
    if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String v = a.substring(7).strip();
      return v.isEmpty() ? null : v;
    }
    return null;
  }

  private static final class KeyState {
    long window = Long.MIN_VALUE;
    long requests;
    long tokens;
    long requestsAdmitted;
    long tokensAdmitted;
    long rateLimited;
  }
}
