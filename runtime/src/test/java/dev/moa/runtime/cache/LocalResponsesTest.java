package dev.moa.runtime.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.AvroTrust;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalResponsesTest {

  @BeforeAll
  static void trustGeneratedRecords() {
    AvroTrust.install();
  }

  static CachedResponse entry(String key) {
    return new CachedResponse(key, "p", "m", "content of " + key, new Usage(1, 2), "stop", 1L);
  }

  @Test
  void holdsAtMostMaxEntriesEvictingTheLeastRecentlyUsed() {
    LocalResponses map = new LocalResponses(2);
    map.put("a", entry("a"));
    map.put("b", entry("b"));
    assertThat(map.get("a")).isPresent(); // a is now more recent than b

    map.put("c", entry("c"));

    assertThat(map.size()).isEqualTo(2);
    assertThat(map.get("b")).isEmpty();
    assertThat(map.get("a")).contains(entry("a"));
    assertThat(map.get("c")).contains(entry("c"));
  }

  @Test
  void putReplacesAndRemoveForgets() {
    LocalResponses map = new LocalResponses(10);
    map.put("a", entry("a"));
    CachedResponse newer = new CachedResponse("a", "p", "m", "newer", new Usage(3, 4), null, 2L);

    map.put("a", newer);
    assertThat(map.get("a")).contains(newer);
    map.remove("a");
    assertThat(map.get("a")).isEmpty();
  }

  @Test
  void rejectsANonPositiveBound() {
    assertThatThrownBy(() -> new LocalResponses(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
  }
}
