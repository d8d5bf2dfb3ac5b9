package dev.moa.runtime.spring;

import dev.moa.runtime.cache.ResponseCacheOptions;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.cache.*}: the response cache of a service that executes model calls. Requests opt in
 * ({@code use_cache}); this only decides whether the service can serve them.
 *
 * @param enabled false: no cache at all (nothing is read or stored, every call is made)
 * @param maxEntries the most entries kept in memory (LRU beyond)
 * @param initialLoadTimeout after start, how long lookups wait at most for the topic's entries to
 *     load
 */
@ConfigurationProperties("moa.cache")
public record MoaCacheProperties(Boolean enabled, Integer maxEntries, Duration initialLoadTimeout) {

  public MoaCacheProperties {
    enabled = enabled == null || enabled;
    maxEntries = maxEntries == null ? ResponseCacheOptions.DEFAULT_MAX_ENTRIES : maxEntries;
    initialLoadTimeout =
        initialLoadTimeout == null
            ? ResponseCacheOptions.DEFAULT_INITIAL_LOAD_TIMEOUT
            : initialLoadTimeout;
    if (maxEntries < 1) {
      throw new IllegalArgumentException(
          "moa.cache.max-entries must be >= 1 but was " + maxEntries);
    }
    if (initialLoadTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "moa.cache.initial-load-timeout must be >= 0 but was " + initialLoadTimeout);
    }
  }
}
