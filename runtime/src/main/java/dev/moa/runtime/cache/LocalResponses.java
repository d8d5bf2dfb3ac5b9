package dev.moa.runtime.cache;

import dev.moa.protocol.avro.CachedResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A thread-safe, count-bounded LRU map of cached responses: once it holds {@code maxEntries}, each
 * new key evicts the least recently looked up or stored one.
 */
public final class LocalResponses {

  private final int maxEntries;
  private final LinkedHashMap<String, CachedResponse> map;

  public LocalResponses(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1 but was " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.map =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, CachedResponse> eldest) {
            return size() > LocalResponses.this.maxEntries;
          }
        };
  }

  public synchronized Optional<CachedResponse> get(String key) {
    return Optional.ofNullable(map.get(key));
  }

  public synchronized void put(String key, CachedResponse response) {
    map.put(key, response);
  }

  public synchronized void remove(String key) {
    map.remove(key);
  }

  public synchronized int size() {
    return map.size();
  }

  public int maxEntries() {
    return maxEntries;
  }
}
