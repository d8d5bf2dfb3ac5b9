package dev.moa.runtime.cache;

import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response cache of one service instance: a local {@link LocalResponses} map backed by the
 * compacted topic {@code moa.response-cache}, which is the store shared by all instances and runs.
 *
 * <ul>
 *   <li><b>Loading.</b> A background thread ({@code moa-response-cache-loader}) assigns itself
 *       every partition of the topic (no consumer group, nothing committed), reads it from the
 *       beginning with read_committed, and keeps reading, so entries other instances store become
 *       visible here within a poll. Undecodable records are logged and skipped; a tombstone removes
 *       its key. Broker errors are logged and retried; they never stop the thread.
 *   <li><b>Before the initial load caught up</b> with the end offsets seen at start, lookups wait —
 *       without blocking their caller's thread — until it has, but never beyond {@code
 *       initialLoadTimeout} after construction; after that they answer from whatever was loaded. A
 *       miss is always safe: the call is made and stored again (the compacted topic keeps one entry
 *       per key).
 *   <li><b>Storing</b> puts the entry in the local map at once and produces it (key = cache key)
 *       from a dedicated sender thread, so a broker that is down never blocks the caller; a failed
 *       send is logged and reported through the returned future only.
 * </ul>
 */
public final class KafkaResponseCache implements ResponseCache, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaResponseCache.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final int SEND_QUEUE = 10_000;

  private final String topic = Topics.RESPONSE_CACHE.name();
  private final LocalResponses local;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Producer<String, CachedResponse> producer;
  private final ExecutorService sender;
  private final Thread loader;
  private final CompletableFuture<Void> loaded = new CompletableFuture<>();
  private final CompletableFuture<Void> loadedOrGaveUp;
  private volatile boolean closed;

  /**
   * Starts loading at once.
   *
   * @param options bounds of the local map and of the wait for the initial load
   */
  public KafkaResponseCache(KafkaSettings settings, ResponseCacheOptions options) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(options, "options");
    this.local = new LocalResponses(options.maxEntries());
    Map<String, Object> consumerProps = settings.consumer(null, true);
    consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, options.clientId() + "-loader");
    this.consumer = new KafkaConsumer<>(consumerProps);
    Map<String, Object> producerProps = new HashMap<>(settings.producer(options.clientId()));
    producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    this.producer =
        new KafkaProducer<>(
            producerProps, new StringSerializer(), Serdes.CACHED_RESPONSE.serializer());
    this.sender =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(SEND_QUEUE),
            r -> {
              Thread t = new Thread(r, "moa-response-cache-sender");
              t.setDaemon(true);
              return t;
            });
    this.loadedOrGaveUp =
        loaded
            .copy()
            .completeOnTimeout(null, options.initialLoadTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete(
                (ok, e) -> {
                  if (!loaded.isDone()) {
                    log.warn(
                        "response cache not loaded after {}; lookups go on with what is loaded",
                        options.initialLoadTimeout());
                  }
                });
    this.loader = new Thread(this::load, "moa-response-cache-loader");
    this.loader.setDaemon(true);
    this.loader.start();
  }

  @Override
  public CompletableFuture<Optional<CachedResponse>> lookup(String key) {
    if (loadedOrGaveUp.isDone()) {
      return CompletableFuture.completedFuture(local.get(key));
    }
    // Still loading: answer once the load caught up (or the wait bound passed), off the thread
    // that completes it.
    return loadedOrGaveUp.handleAsync((ok, e) -> local.get(key));
  }

  @Override
  public CompletableFuture<Void> store(CachedResponse response) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      String key = Objects.requireNonNull(response.getKey(), "key");
      local.put(key, response);
      sender.execute(() -> send(key, response, sent));
    } catch (RejectedExecutionException e) {
      log.warn(
          "response cache entry not shared ({}): {}",
          closed ? "closed" : "queue full",
          e.toString());
      sent.completeExceptionally(e);
    } catch (RuntimeException e) {
      log.warn("response cache entry not stored: {}", e.toString());
      sent.completeExceptionally(e);
    }
    return sent;
  }

  private void send(String key, CachedResponse response, CompletableFuture<Void> sent) {
    try {
      producer.send(
          new ProducerRecord<>(topic, key, response),
          (metadata, error) -> {
            if (error == null) {
              sent.complete(null);
            } else {
              log.warn("response cache entry {} not shared: {}", key, error.toString());
              sent.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      log.warn("response cache entry {} not shared: {}", key, e.toString());
      sent.completeExceptionally(e);
    }
  }

  /** Completes once the initial load caught up with the end offsets seen when it started. */
  public CompletableFuture<Void> loaded() {
    return loaded.copy();
  }

  /** Entries in the local map. */
  public int size() {
    return local.size();
  }

  private void load() {
    try {
      List<TopicPartition> partitions = assignAll();
      if (partitions == null) {
        return; // closed
      }
      Map<TopicPartition, Long> ends = null;
      while (!closed) {
        try {
          if (ends == null) {
            ends = consumer.endOffsets(partitions);
          }
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            apply(record);
          }
          if (!loaded.isDone() && caughtUp(ends)) {
            log.info("response cache loaded: {} entries", local.size());
            loaded.complete(null);
          }
        } catch (WakeupException e) {
          if (closed) {
            return;
          }
        } catch (RuntimeException e) {
          log.warn("reading {} failed; retrying in {}: {}", topic, RETRY, e.toString());
          pause();
        }
      }
    } finally {
      try {
        consumer.close(CLOSE_TIMEOUT);
      } catch (RuntimeException e) {
        log.debug("closing the response cache consumer: {}", e.toString());
      }
    }
  }

  /** Assigns every partition of the topic from the beginning; null if closed first. */
  private List<TopicPartition> assignAll() {
    while (!closed) {
      try {
        List<TopicPartition> partitions =
            consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        if (!partitions.isEmpty()) {
          consumer.assign(partitions);
          consumer.seekToBeginning(partitions);
          return partitions;
        }
        log.warn("topic {} has no partitions (not created yet?); retrying in {}", topic, RETRY);
      } catch (WakeupException e) {
        if (closed) {
          return null;
        }
      } catch (RuntimeException e) {
        log.warn(
            "cannot read the partitions of {}; retrying in {}: {}", topic, RETRY, e.toString());
      }
      pause();
    }
    return null;
  }

  private boolean caughtUp(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      if (record.key() != null) {
        local.remove(new String(record.key(), StandardCharsets.UTF_8));
      }
      return;
    }
    CachedResponse response;
    try {
      response = Serdes.CACHED_RESPONSE.fromBytes(record.value());
    } catch (SerializationException e) {
      log.warn(
          "skipping undecodable response cache record {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
      return;
    }
    local.put(response.getKey(), response);
  }

  private void pause() {
    if (closed) {
      return;
    }
    try {
      Thread.sleep(RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /** Stops loading and flushes entries still being shared (bounded). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    consumer.wakeup();
    sender.shutdown();
    try {
      loader.join(CLOSE_TIMEOUT.toMillis());
      if (!sender.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("response cache entries still queued at close were not shared");
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      producer.close(CLOSE_TIMEOUT);
    }
  }
}
