package dev.moa.runtime.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * @param maxEntries the most entries the local map holds (LRU beyond)
 * @param initialLoadTimeout how long after start lookups wait for the initial load, at most
 * @param clientId Kafka client id of the cache's producer ({@code -loader} for its consumer)
 */
public record ResponseCacheOptions(int maxEntries, Duration initialLoadTimeout, String clientId) {

  public static final int DEFAULT_MAX_ENTRIES = 10_000;
  public static final Duration DEFAULT_INITIAL_LOAD_TIMEOUT = Duration.ofSeconds(5);

  public ResponseCacheOptions {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1 but was " + maxEntries);
    }
    Objects.requireNonNull(initialLoadTimeout, "initialLoadTimeout");
    if (initialLoadTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "initialLoadTimeout must be >= 0 but was " + initialLoadTimeout);
    }
    clientId = clientId == null || clientId.isBlank() ? "moa-response-cache" : clientId;
  }

  public static ResponseCacheOptions defaults() {
    return new ResponseCacheOptions(DEFAULT_MAX_ENTRIES, DEFAULT_INITIAL_LOAD_TIMEOUT, null);
  }
}
