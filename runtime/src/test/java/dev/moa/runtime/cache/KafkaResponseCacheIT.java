package dev.moa.runtime.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.AvroTrust;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.testing.BrokerSettings;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link KafkaResponseCache} on a real broker and the real {@code moa.response-cache} topic. */
class KafkaResponseCacheIT {

  static KafkaSettings settings;
  static KafkaProducer<String, CachedResponse> producer;
  static KafkaProducer<String, byte[]> raw;

  @BeforeAll
  static void start() {
    AvroTrust.install();
    settings = BrokerSettings.withTopics();
    producer = settings.producerFor(Topics.RESPONSE_CACHE, "response-cache-it");
    raw = BrokerSettings.rawProducer(settings, "response-cache-it-raw");
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (raw != null) {
      raw.close();
    }
  }

  static String newKey() {
    return UUID.randomUUID().toString().replace("-", "") + "0".repeat(32);
  }

  static CachedResponse entry(String key, String content) {
    return new CachedResponse(
        key, "simulator", "llama3.1-8b", content, new Usage(7, 3), "stop", 1L);
  }

  static KafkaResponseCache cache(int maxEntries) {
    return new KafkaResponseCache(
        settings,
        new ResponseCacheOptions(maxEntries, Duration.ofSeconds(20), "response-cache-it"));
  }

  static Optional<CachedResponse> lookup(ResponseCache cache, String key) throws Exception {
    return cache.lookup(key).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aStoredEntryIsServedAtOnceAndANewCacheLoadsItFromTheTopicBeforeItsFirstLookup()
      throws Exception {
    String key = newKey();
    CachedResponse stored = entry(key, "stored " + key);

    try (KafkaResponseCache first = cache(100)) {
      CompletableFuture<Void> sent = first.store(stored);
      assertThat(lookup(first, key)).contains(stored); // local at once
      sent.get(30, TimeUnit.SECONDS);
    }

    // A fresh instance (a restarted worker) starts empty and reads the topic from the beginning;
    // its very first lookup waits for that initial load instead of missing.
    try (KafkaResponseCache second = cache(100_000)) {
      assertThat(lookup(second, key)).contains(stored);
      assertThat(second.loaded()).isDone();
    }
  }

  @Test
  void entriesOthersStoreLaterBecomeVisibleAndUndecodableRecordsAreSkipped() throws Exception {
    String key = newKey();
    int partition = 2;
    try (KafkaResponseCache cache = cache(100_000)) {
      cache.loaded().get(30, TimeUnit.SECONDS);

      raw.send(
          new ProducerRecord<>(
              Topics.RESPONSE_CACHE.name(),
              partition,
              key,
              "not avro".getBytes(StandardCharsets.UTF_8)));
      raw.flush();
      CachedResponse behind = entry(key, "behind the garbage " + key);
      producer.send(new ProducerRecord<>(Topics.RESPONSE_CACHE.name(), partition, key, behind));
      producer.flush();

      await().atMost(Duration.ofSeconds(30)).until(() -> lookup(cache, key).isPresent());
      assertThat(lookup(cache, key)).contains(behind);
    }

    // A cache loading the same partition from the beginning skips the garbage too.
    try (KafkaResponseCache fresh = cache(100_000)) {
      assertThat(lookup(fresh, key))
          .map(CachedResponse::getContent)
          .contains("behind the garbage " + key);
    }
  }

  @Test
  void aTombstoneRemovesItsKey() throws Exception {
    String key = newKey();
    try (KafkaResponseCache cache = cache(100_000)) {
      cache.store(entry(key, "soon gone")).get(30, TimeUnit.SECONDS);
      assertThat(lookup(cache, key)).isPresent();

      raw.send(new ProducerRecord<>(Topics.RESPONSE_CACHE.name(), key, null));
      raw.flush();

      await().atMost(Duration.ofSeconds(30)).until(() -> lookup(cache, key).isEmpty());
    }
  }

  @Test
  void theLocalMapHoldsAtMostMaxEntries() throws Exception {
    for (int i = 0; i < 5; i++) {
      producer.send(
          new ProducerRecord<>(Topics.RESPONSE_CACHE.name(), newKey(), entry(newKey(), "x" + i)));
    }
    producer.flush();

    try (KafkaResponseCache cache = cache(3)) {
      cache.loaded().get(30, TimeUnit.SECONDS);
      // The topic holds at least these 5 entries. Partitions are read in no set order, so another
      // test's tombstone may be applied after the evictions and leave one entry fewer than the
      // bound.
      assertThat(cache.size()).isBetween(1, 3);
    }
  }

  @Test
  void anUnreachableBrokerCostsOnlyHits() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    KafkaSettings nowhere = KafkaSettings.local("127.0.0.1:" + closedPort);
    String key = newKey();
    long start = System.nanoTime();

    KafkaResponseCache cache =
        new KafkaResponseCache(
            nowhere, new ResponseCacheOptions(10, Duration.ofMillis(300), "response-cache-it"));
    try {
      // The initial load never catches up: lookups wait the bound, then miss.
      assertThat(lookup(cache, key)).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(cache.loaded()).isNotDone();

      // Storing neither throws nor blocks; the entry still serves this instance.
      long storeStart = System.nanoTime();
      CompletableFuture<Void> sent = cache.store(entry(key, "kept locally"));
      assertThat(Duration.ofNanos(System.nanoTime() - storeStart))
          .isLessThan(Duration.ofSeconds(1));
      assertThat(lookup(cache, key)).map(CachedResponse::getContent).contains("kept locally");
      await().atMost(Duration.ofSeconds(30)).until(sent::isDone);
      assertThat(sent).isCompletedExceptionally();
    } finally {
      long closeStart = System.nanoTime();
      cache.close();
      assertThat(Duration.ofNanos(System.nanoTime() - closeStart))
          .isLessThan(Duration.ofSeconds(20));
    }
  }
}
