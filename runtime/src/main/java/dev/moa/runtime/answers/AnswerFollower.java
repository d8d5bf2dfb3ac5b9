package dev.moa.runtime.answers;

import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.serde.AvroTrust;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.TopicSpec;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code moa.answer-chunks} and {@code moa.answers} (read_committed) from their ends at
 * construction and hands each followed request's chunks and final answer to its listeners. One
 * consumer for any number of requests, with every partition assigned (no group): every instance of
 * a service sees every answer, so an HTTP call can be answered by whichever instance took it.
 *
 * <p>Subscribe before the request is published: the end offsets are resolved in the constructor, so
 * every record published after {@link #follow} returns is seen.
 */
public final class AnswerFollower implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AnswerFollower.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, List<AnswerListener>> listeners = new ConcurrentHashMap<>();
  private final Thread thread;
  private final Duration readyTimeout;
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile boolean running = true;

  /**
   * Starts following on a thread named {@code clientId}. Never blocks: the topics' end offsets are
   * resolved on that thread (retried while Kafka is unreachable), and {@link #follow} waits for
   * them.
   */
  public AnswerFollower(KafkaSettings settings, String clientId, Duration readyTimeout) {
    AvroTrust.install();
    Map<String, Object> props = settings.consumer(null, true);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumer = new KafkaConsumer<>(props);
    this.readyTimeout = readyTimeout;
    this.thread = new Thread(this::run, clientId);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Hands the request's chunks and final answer to the listener until the answer or close.
   *
   * @throws IllegalStateException when the answer topics' ends could not be resolved in time
   */
  public Subscription follow(String requestId, AnswerListener listener) {
    awaitReady();
    listeners.computeIfAbsent(requestId, k -> new CopyOnWriteArrayList<>()).add(listener);
    return () -> remove(requestId, listener);
  }

  /** Whether the topics' ends are resolved (records published from now on will be seen). */
  public boolean ready() {
    return ready.getCount() == 0;
  }

  private void awaitReady() {
    try {
      if (!ready.await(readyTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "the answer topics are not reachable (waited "
                + readyTimeout.toSeconds()
                + " s for their end offsets)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the answer topics", e);
    }
  }

  /** Assigns every partition of both topics and resolves their ends; false while Kafka is away. */
  private boolean start() {
    try {
      List<TopicPartition> parts = new ArrayList<>();
      for (TopicSpec<?, ?> spec : List.of(Topics.ANSWERS, Topics.ANSWER_CHUNKS)) {
        for (int p = 0; p < spec.partitions(); p++) {
          parts.add(new TopicPartition(spec.name(), p));
        }
      }
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      // Resolve the end offsets now (seekToEnd is lazy), before anyone is told we are ready.
      parts.forEach(tp -> consumer.position(tp, Duration.ofSeconds(10)));
      ready.countDown();
      return true;
    } catch (WakeupException e) {
      return false;
    } catch (RuntimeException e) {
      log.warn("answer follower: cannot resolve the answer topics' ends yet: {}", e.toString());
      sleepQuietly();
      return false;
    }
  }

  private void remove(String requestId, AnswerListener listener) {
    listeners.computeIfPresent(
        requestId,
        (k, list) -> {
          list.remove(listener);
          return list.isEmpty() ? null : list;
        });
  }

  private void run() {
    while (running && !ready()) {
      start();
    }
    while (running) {
      try {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          dispatch(r);
        }
      } catch (WakeupException e) {
        // close() woke us up
      } catch (RuntimeException e) {
        // A broker outage: the consumer reconnects on the next poll; followers just wait longer.
        log.warn("answer follower: {}", e.toString());
        sleepQuietly();
      }
    }
  }

  private void dispatch(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null || r.value() == null) {
      return;
    }
    List<AnswerListener> targets = listeners.get(r.key());
    if (targets == null) {
      return;
    }
    try {
      if (r.topic().equals(Topics.ANSWER_CHUNKS.name())) {
        var chunk = Serdes.ANSWER_CHUNK.fromBytes(r.value());
        targets.forEach(l -> deliver(() -> l.onChunk(chunk)));
      } else {
        FinalAnswer answer = Serdes.FINAL_ANSWER.fromBytes(r.value());
        List<AnswerListener> done = listeners.remove(r.key());
        if (done != null) {
          done.forEach(l -> deliver(() -> l.onAnswer(answer)));
        }
      }
    } catch (SerializationException e) {
      // Not a record we can read (poison under a followed key): the real answer still comes.
      log.debug(
          "answer follower: skipped an undecodable record at {}-{}@{}",
          r.topic(),
          r.partition(),
          r.offset());
    }
  }

  private static void deliver(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("answer listener failed: {}", e.toString());
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
    listeners.clear();
  }

  /** Stops following one request (an HTTP client went away). Idempotent. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
