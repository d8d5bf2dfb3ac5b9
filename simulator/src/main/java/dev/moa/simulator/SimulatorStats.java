package dev.moa.simulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of a running simulator. {@code requests} counts every chat completion request (including
 * rejected ones); {@code completed} counts responses delivered in full; token counters cover
 * completed responses only; {@code running} is the number of chat requests in flight. {@code
 * faultsInjected} is keyed {@code 5xx}, {@code 429}, {@code stall}, {@code truncate}, {@code
 * malformed}. {@code rateLimited} counts 429 answers of the per-key limits ({@code --rpm/--tpm}),
 * injected 429 faults not included; {@code keys} has each key's admitted requests and tokens (input
 * + max completion tokens, as counted against the limit) and 429s, by key id (a hash, never the
 * key).
 */
public record SimulatorStats(
    long requests,
    long completed,
    Map<String, Long> faultsInjected,
    long promptTokens,
    long completionTokens,
    int running,
    long rateLimited,
    Map<String, KeyStats> keys) {

  public SimulatorStats {
    faultsInjected = Collections.unmodifiableMap(new LinkedHashMap<>(faultsInjected));
    keys = keys == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(keys));
  }

  /** One API key's admitted requests and tokens and its 429 answers. */
  public record KeyStats(long requestsAdmitted, long tokensAdmitted, long rateLimited) {}

  /** Injected faults of one kind, 0 if none. */
  public long faults(String kind) {
    return faultsInjected.getOrDefault(kind, 0L);
  }
}
