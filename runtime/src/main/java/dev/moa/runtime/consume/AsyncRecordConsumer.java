package dev.moa.runtime.consume;

import dev.moa.protocol.serde.AvroSerde;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.metrics.KafkaClientMeters;
import dev.moa.runtime.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one topic with many records in flight and commits each partition's offsets only up to
 * its first unfinished record.
 *
 * <p>One {@link KafkaConsumer} runs on its own thread (named {@link AsyncConsumerOptions#name()}).
 * Every decoded record is handed to the handler at once, on that thread (so the handler must not
 * block); its future completes when the record's output is durably produced. Records finish in any
 * order; {@link PartitionOffsets} decides what may be committed (commitAsync at most every {@code
 * commitInterval}, commitSync on revoke and close). Unlike a container that pauses until a whole
 * poll is done, the consumer pauses only when {@code maxInFlight} records are unfinished, so a slow
 * record never holds back the records behind it. Records a poll returns beyond {@code maxInFlight}
 * are not buffered: the consumer seeks back to them and fetches them again once there is room.
 *
 * <ul>
 *   <li>A handler future that fails means "no output": the record is handled again after a backoff
 *       and its offset stays uncommitted meanwhile.
 *   <li>A record the serde refuses (undecodable bytes, an unknown schema fingerprint, or with a
 *       checking serde an impossible value) goes to {@code <topic>-dlt} with its original bytes and
 *       the {@link DeadLetters} headers; its offset finishes when the dead letter is acknowledged.
 *   <li>Revoked partitions are committed as far as they are finished and forgotten; their records
 *       still running finish, uncommitted, and the next owner handles them again (at least once).
 * </ul>
 */
public final class AsyncRecordConsumer<V extends SpecificRecord> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AsyncRecordConsumer.class);
  private static final Duration COMMIT_SYNC_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final AsyncConsumerOptions options;
  private final String name;
  private final String dltTopic;
  private final AvroSerde<V> serde;
  private final Function<? super V, ? extends CompletableFuture<?>> handler;
  private final Producer<byte[], byte[]> deadLetters;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final MeterRegistry registry;
  private final Counter dltCounter;
  private final Counter retryCounter;
  private final Gauge inFlightGauge;
  private final AutoCloseable clientMetrics;

  // Shared with other threads.
  private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private boolean started;
  private volatile boolean closing;
  private volatile long drainDeadlineNanos;
  private volatile int inFlight;

  // Loop thread only.
  private final Map<TopicPartition, Assigned> assigned = new HashMap<>();
  private final PriorityQueue<Work> retries =
      new PriorityQueue<>(Comparator.comparingLong(w -> w.dueNanos));
  private int running;
  private long lastCommitNanos;
  private boolean commitFailing;

  /**
   * Creates the consumer; {@link #start()} runs it.
   *
   * @param deadLetters byte producer for {@code <topic>-dlt} (not closed by this consumer)
   * @param registry for the dead-letter and retry counters and the in-flight gauge; may be null
   * @param handler runs on the consumer thread and must not block; its future completes when the
   *     record's output is durably produced, exceptionally when it was not
   */
  public AsyncRecordConsumer(
      KafkaSettings settings,
      AsyncConsumerOptions options,
      AvroSerde<V> serde,
      Producer<byte[], byte[]> deadLetters,
      MeterRegistry registry,
      Function<? super V, ? extends CompletableFuture<?>> handler) {
    this.options = Objects.requireNonNull(options, "options");
    this.serde = Objects.requireNonNull(serde, "serde");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.name = options.name();
    this.dltTopic = options.topic() + DeadLetters.SUFFIX;
    this.consumer =
        new KafkaConsumer<>(
            consumerConfig(settings, options),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.thread = new Thread(this::run, name);
    this.lastCommitNanos = System.nanoTime() - options.commitInterval().toNanos();
    this.registry = registry;
    if (registry != null) {
      dltCounter =
          Counter.builder(MetricNames.DLT_RECORDS)
              .tag(MetricNames.TAG_TOPIC, options.topic())
              .register(registry);
      retryCounter =
          Counter.builder(MetricNames.CONSUMER_RETRIES)
              .description("Failed handler runs that will be retried")
              .tag(MetricNames.TAG_TOPIC, options.topic())
              .register(registry);
      inFlightGauge =
          Gauge.builder(MetricNames.CONSUMER_IN_FLIGHT, this, AsyncRecordConsumer::inFlight)
              .description("Records handed out and not finished")
              .tag(MetricNames.TAG_TOPIC, options.topic())
              .tag(MetricNames.TAG_CONSUMER, name)
              .register(registry);
      // Its own KafkaConsumer: Kafka client metrics (lag included) as Spring's consumers have.
      clientMetrics = KafkaClientMeters.bind(registry, consumer, name);
    } else {
      dltCounter = null;
      retryCounter = null;
      inFlightGauge = null;
      clientMetrics = null;
    }
  }

  static Map<String, Object> consumerConfig(KafkaSettings settings, AsyncConsumerOptions options) {
    // read_uncommitted on purpose: see docs/decisions/003.
    Map<String, Object> props = settings.consumer(options.groupId(), false);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
        Math.min(options.maxPollRecords(), options.maxInFlight()));
    props.putAll(options.consumerProperties());
    boolean classic =
        !"consumer"
            .equalsIgnoreCase(String.valueOf(props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)));
    if (classic) {
      // Incremental rebalances: a partition that stays with us keeps its in-flight records instead
      // of being revoked, forgotten and handled a second time.
      props.putIfAbsent(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          CooperativeStickyAssignor.class.getName());
    }
    return props;
  }

  /** Starts the consumer thread. */
  public synchronized AsyncRecordConsumer<V> start() {
    if (started) {
      throw new IllegalStateException(name + " was already started");
    }
    started = true;
    thread.start();
    return this;
  }

  /** Records handed to the handler (or the dead-letter topic) and not finished. */
  public int inFlight() {
    return inFlight;
  }

  /** True until the consumer thread has closed the consumer. */
  public boolean isRunning() {
    return !terminated.isDone();
  }

  public String name() {
    return name;
  }

  /** Closes with {@link AsyncConsumerOptions#drainTimeout()}. */
  @Override
  public void close() {
    close(options.drainTimeout());
  }

  /**
   * Stops fetching, waits up to {@code drainTimeout} for in-flight records to finish (committing
   * them as they do), commits and closes the consumer. Records still unfinished are redelivered to
   * the partitions' next owner.
   */
  public void close(Duration drainTimeout) {
    CompletableFuture<Void> done = closeAsync(drainTimeout);
    if (Thread.currentThread() == thread) {
      return; // a handler closing its own consumer: the loop ends after this call returns
    }
    try {
      done.get(drainTimeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("{}: consumer did not close within {} plus 30 s", name, drainTimeout);
    } catch (ExecutionException e) {
      log.warn("{}: closing failed: {}", name, e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a graceful close; the future completes when the consumer is closed. */
  public CompletableFuture<Void> closeAsync(Duration drainTimeout) {
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    boolean neverStarted;
    synchronized (this) {
      if (!closing) {
        drainDeadlineNanos = System.nanoTime() + drainTimeout.toNanos();
        closing = true;
      }
      neverStarted = !started;
      started = true;
    }
    if (neverStarted) {
      try {
        consumer.close(CloseOptions.timeout(CONSUMER_CLOSE_TIMEOUT));
      } finally {
        unregisterGauge();
        terminated.complete(null);
      }
    }
    return terminated.copy();
  }

  private void run() {
    try {
      consumer.subscribe(List.of(options.topic()), new Rebalance());
      while (!closing) {
        receive(consumer.poll(options.pollTimeout()));
        step();
      }
      drain();
    } catch (RuntimeException | Error e) {
      log.error("{}: consumer of {} stopped: {}", name, options.topic(), e.toString(), e);
    } finally {
      shutdown();
    }
  }

  /** Hands out every record of the poll, up to maxInFlight; gives the rest back to Kafka. */
  private void receive(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      Assigned partition = assigned.get(tp);
      for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
        if (partition == null) {
          break;
        }
        if (closing || running >= options.maxInFlight()) {
          // Full (the poll returned more than fits): fetch these again once there is room.
          consumer.seek(tp, new OffsetAndMetadata(record.offset(), record.leaderEpoch(), ""));
          break;
        }
        if (partition.offsets.dispatch(record.offset())) {
          running++;
          invoke(new Work(partition, record, decode(record)));
        }
      }
    }
  }

  private Object decode(ConsumerRecord<byte[], byte[]> record) {
    try {
      if (record.value() == null) {
        throw new SerializationException("record has no value");
      }
      return serde.fromBytes(record.value());
    } catch (RuntimeException e) {
      return e;
    }
  }

  @SuppressWarnings("unchecked")
  private void invoke(Work work) {
    CompletableFuture<?> done;
    try {
      done = work.poison() == null ? handler.apply((V) work.decoded) : deadLetter(work);
      if (done == null) {
        done = CompletableFuture.failedFuture(new NullPointerException("handler returned null"));
      }
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    // Completions may arrive on any thread; the consumer is only touched on its own thread.
    done.whenComplete((ok, error) -> completions.add(new Completion(work, error)));
  }

  private CompletableFuture<Void> deadLetter(Work work) {
    ConsumerRecord<byte[], byte[]> record = work.record;
    RuntimeException cause = work.poison();
    if (work.failures == 0) {
      log.warn(
          "dead-lettering {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          cause.getMessage());
    }
    Headers headers =
        DeadLetters.headers(
            record.headers(), cause, record.topic(), record.partition(), record.offset());
    CompletableFuture<Void> sent = new CompletableFuture<>();
    deadLetters.send(
        new ProducerRecord<>(dltTopic, null, record.key(), record.value(), headers),
        (metadata, error) -> {
          if (error == null) {
            sent.complete(null);
          } else {
            sent.completeExceptionally(error);
          }
        });
    return sent;
  }

  private void step() {
    processCompletions();
    startDueRetries();
    applyBackpressure();
    commitIfDue();
    inFlight = running;
  }

  private void processCompletions() {
    Completion c;
    while ((c = completions.poll()) != null) {
      Work work = c.work();
      if (c.error() == null || work.partition.revoked) {
        running--;
        if (c.error() == null && work.poison() != null && dltCounter != null) {
          dltCounter.increment();
        }
        if (!work.partition.revoked) {
          work.partition.offsets.finish(work.record.offset());
        }
        continue;
      }
      work.failures++;
      long delayMs =
          Math.min(
              options.maxRetryBackoff().toMillis(),
              options.retryBackoff().toMillis() << Math.min(work.failures - 1, 20));
      work.dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
      retries.add(work);
      if (retryCounter != null) {
        retryCounter.increment();
      }
      log.warn(
          "{} {}-{}@{} failed (attempt {}): {}; retrying in {} ms",
          work.poison() == null ? "handling" : "dead-lettering",
          work.record.topic(),
          work.record.partition(),
          work.record.offset(),
          work.failures,
          describe(c.error()),
          delayMs);
    }
  }

  private void startDueRetries() {
    long now = System.nanoTime();
    while (!retries.isEmpty() && retries.peek().dueNanos - now <= 0) {
      invoke(retries.poll());
    }
  }

  /** The only pausing: all partitions while maxInFlight records are unfinished or closing. */
  private void applyBackpressure() {
    Set<TopicPartition> owned = consumer.assignment();
    if (owned.isEmpty()) {
      return;
    }
    Set<TopicPartition> paused = consumer.paused();
    if (closing || running >= options.maxInFlight()) {
      if (!paused.containsAll(owned)) {
        consumer.pause(owned);
      }
    } else if (!paused.isEmpty()) {
      consumer.resume(paused);
    }
  }

  private void commitIfDue() {
    long now = System.nanoTime();
    if (now - lastCommitNanos < options.commitInterval().toNanos()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = changedOffsets(assigned.keySet());
    if (offsets.isEmpty()) {
      return;
    }
    lastCommitNanos = now;
    consumer.commitAsync(
        offsets,
        (committed, error) -> {
          if (error == null) {
            commitFailing = false;
          } else {
            commitFailed(offsets, error);
          }
        });
  }

  private void commitSync(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = changedOffsets(partitions);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, COMMIT_SYNC_TIMEOUT);
      commitFailing = false;
    } catch (KafkaException e) {
      commitFailed(offsets, e);
    }
  }

  /** Committable offsets that differ from the last ones sent; marks them sent. */
  private Map<TopicPartition, OffsetAndMetadata> changedOffsets(
      Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      Assigned p = assigned.get(tp);
      if (p == null) {
        continue;
      }
      OptionalLong committable = p.offsets.committable();
      if (committable.isPresent() && committable.getAsLong() != p.lastSent) {
        p.lastSent = committable.getAsLong();
        offsets.put(tp, new OffsetAndMetadata(p.lastSent));
      }
    }
    return offsets;
  }

  private void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception error) {
    if (error instanceof org.apache.kafka.common.errors.RebalanceInProgressException) {
      // Expected while consumers join or leave (e.g. a worker's second consumer starting): the
      // offsets are committed again after the rebalance. Not worth a user's attention.
      log.info("{}: commit of {} waits for a rebalance (will retry)", name, offsets);
    } else if (!commitFailing) {
      log.warn("{}: commit of {} failed (will retry): {}", name, offsets, error.toString());
    }
    commitFailing = true;
    offsets.forEach(
        (tp, offset) -> {
          Assigned p = assigned.get(tp);
          if (p != null && p.lastSent == offset.offset()) {
            p.lastSent = -1; // sent again on the next commit
          }
        });
  }

  private void drain() {
    applyBackpressure();
    processCompletions();
    if (running > 0) {
      log.info("{}: draining {} in-flight records", name, running);
    }
    long remaining;
    while (running > 0 && (remaining = drainDeadlineNanos - System.nanoTime()) > 0) {
      // Keep polling: it keeps the group membership and runs the commit callbacks.
      receive(
          consumer.poll(Duration.ofNanos(Math.min(remaining, options.pollTimeout().toNanos()))));
      step();
    }
    processCompletions();
    inFlight = running;
    if (running > 0) {
      log.warn(
          "{}: {} records still in flight after the drain timeout; they will be redelivered",
          name,
          running);
    }
  }

  private void shutdown() {
    try {
      processCompletions();
      commitSync(List.copyOf(assigned.keySet()));
    } catch (RuntimeException e) {
      log.warn("{}: final commit failed: {}", name, e.toString());
    }
    try {
      consumer.close(CloseOptions.timeout(CONSUMER_CLOSE_TIMEOUT));
    } catch (RuntimeException e) {
      log.warn("{}: closing the consumer failed: {}", name, e.toString());
    } finally {
      unregisterGauge();
      terminated.complete(null);
    }
  }

  private void unregisterGauge() {
    if (registry != null && inFlightGauge != null) {
      registry.remove(inFlightGauge);
    }
    KafkaClientMeters.close(clientMetrics);
  }

  /** Forgets partitions we no longer own; their running records finish but are not committed. */
  private void forget(Collection<TopicPartition> partitions, String how) {
    int unfinished = 0;
    for (TopicPartition tp : partitions) {
      Assigned p = assigned.remove(tp);
      if (p != null) {
        p.revoked = true;
        unfinished += p.offsets.unfinishedCount();
      }
    }
    for (Iterator<Work> it = retries.iterator(); it.hasNext(); ) {
      if (it.next().partition.revoked) {
        it.remove();
        running--;
      }
    }
    inFlight = running;
    if (unfinished > 0) {
      log.info(
          "{}: partitions {} {} with {} records unfinished; their next owner handles them again",
          name,
          partitions,
          how,
          unfinished);
    }
  }

  static String describe(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.toString();
  }

  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        assigned.put(tp, new Assigned());
      }
      if (!partitions.isEmpty() && (closing || running >= options.maxInFlight())) {
        consumer.pause(partitions);
      }
      if (!partitions.isEmpty()) {
        log.debug("{}: assigned {}", name, partitions);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      processCompletions();
      commitSync(partitions);
      forget(partitions, "revoked");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions, "lost");
    }
  }

  /** One owned partition; a new instance per assignment, so late completions can tell. */
  private static final class Assigned {
    final PartitionOffsets offsets = new PartitionOffsets();
    long lastSent = -1;
    boolean revoked;
  }

  /** One record being handled: its decoded value, or the exception that decoding threw. */
  private static final class Work {
    final Assigned partition;
    final ConsumerRecord<byte[], byte[]> record;
    final Object decoded;
    int failures;
    long dueNanos;

    Work(Assigned partition, ConsumerRecord<byte[], byte[]> record, Object decoded) {
      this.partition = partition;
      this.record = record;
      this.decoded = decoded;
    }

    RuntimeException poison() {
      return decoded instanceof RuntimeException e ? e : null;
    }
  }

  private record Completion(Work work, Throwable error) {}
}
