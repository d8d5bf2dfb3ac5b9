package dev.moa.runtime.cache;

import dev.moa.protocol.avro.CachedResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Results of earlier identical temperature-0 calls, by {@link CacheKey}. A miss is always safe (the
 * call is simply made), so implementations favour availability: neither method ever throws, and a
 * broken store only means fewer hits.
 */
public interface ResponseCache {

  /**
   * The entry stored under {@code key}, if any. Asynchronous so that a cache still loading never
   * blocks the caller's thread; the future never fails.
   */
  CompletableFuture<Optional<CachedResponse>> lookup(String key);

  /**
   * Remembers a response under {@code response.key} (visible to this instance's lookups at once)
   * and shares it. The future completes when the entry is durably shared, or fails when it could
   * not be; this method itself never throws.
   */
  CompletableFuture<Void> store(CachedResponse response);

  /** A cache that holds nothing: every lookup misses, every store is dropped. */
  static ResponseCache disabled() {
    return Disabled.INSTANCE;
  }

  /** {@link #disabled()}. */
  enum Disabled implements ResponseCache {
    INSTANCE;

    @Override
    public CompletableFuture<Optional<CachedResponse>> lookup(String key) {
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletableFuture<Void> store(CachedResponse response) {
      return CompletableFuture.completedFuture(null);
    }
  }
}
