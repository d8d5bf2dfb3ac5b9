package dev.moa.simulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of a running simulator. {@code requests} counts every chat completion request (including
 * rejected ones); {@code completed} counts responses delivered in full; token counters cover
 * completed responses only; {@code running} is the number of chat requests in flight. {@code
 * faultsInjected} is keyed {@code 5xx}, {@code 429}, {@code stall}, {@code truncate}, {@code
 * malformed}.
 */
public record SimulatorStats(
    long requests,
    long completed,
    Map<String, Long> faultsInjected,
    long promptTokens,
    long completionTokens,
    int running) {

  public SimulatorStats {
    faultsInjected = Collections.unmodifiableMap(new LinkedHashMap<>(faultsInjected));
  }

  /** Injected faults of one kind, 0 if none. */
  public long faults(String kind) {
    return faultsInjected.getOrDefault(kind, 0L);
  }
}
