package dev.moa.orchestrator.barrier;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RequestState;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.serde.AvroSerde;
import dev.moa.protocol.serde.RecordChecks;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.consume.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator's Kafka Streams topology: requests and agent results (both keyed by request id,
 * co-partitioned) meet in one processor whose per-request state lives in a changelogged store.
 * Under exactly_once_v2 the state change and the records it emits commit together.
 */
public final class BarrierTopology {

  public static final String STORE = "moa-barrier-state";

  /** Every run's latest state, from {@code moa.runs} (a global store: all tasks see all runs). */
  public static final String RUNS_STORE = "moa-runs";

  static final String DECODE_REQUESTS = "decode-requests";
  static final String DECODE_RESULTS = "decode-results";
  static final String BARRIER = "barrier";
  static final String SINK_REQUESTS_DLT = "requests-dlt";
  static final String SINK_RESULTS_DLT = "results-dlt";
  static final String SINK_TASKS = "agent-tasks";
  static final String SINK_AGGREGATE = "aggregate-tasks";
  static final String SINK_ANSWERS = "answers";

  private BarrierTopology() {}

  private static final Logger topologyLog = LoggerFactory.getLogger(BarrierTopology.class);

  /**
   * The barrier store's serde. A state it cannot decode (written by a release whose schema is not
   * in the protocol's schema history) reads as null instead of failing the stream thread: the
   * processor drops that entry and the rest of the partition goes on.
   */
  static org.apache.kafka.common.serialization.Serde<RequestState> readableOrNull(
      org.apache.kafka.common.serialization.Serde<RequestState> serde) {
    org.apache.kafka.common.serialization.Deserializer<RequestState> strict = serde.deserializer();
    return org.apache.kafka.common.serialization.Serdes.serdeFrom(
        serde.serializer(),
        (topic, data) -> {
          try {
            return strict.deserialize(topic, data);
          } catch (org.apache.kafka.common.errors.SerializationException e) {
            topologyLog.error(
                "undecodable barrier state in {} ({} bytes), dropped: {}",
                topic,
                data == null ? 0 : data.length,
                e.getMessage());
            return null;
          }
        });
  }

  public static Topology build(Barrier barrier, Duration tickInterval) {
    return build(barrier, tickInterval, LayerListener.none());
  }

  /** The topology; {@code layers} hears of every completed layer after its step is applied. */
  public static Topology build(Barrier barrier, Duration tickInterval, LayerListener layers) {
    return build(barrier, tickInterval, layers, topic -> {});
  }

  /**
   * The topology; {@code deadLettered} hears the source topic of every record sent to a dead-letter
   * topic (for {@code moa_dlt_records_total}).
   */
  public static Topology build(
      Barrier barrier,
      Duration tickInterval,
      LayerListener layers,
      java.util.function.Consumer<String> deadLettered) {
    Topology topology = new Topology();
    // The inputs arrive as bytes and are decoded (and checked) by a processor of the topology, so
    // a record it refuses goes to <topic>-dlt in the same transaction as everything else.
    topology.addSource(
        "requests",
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        Topics.REQUESTS.name());
    topology.addSource(
        "results",
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        Topics.AGENT_RESULTS.name());
    topology.addProcessor(
        DECODE_REQUESTS,
        () ->
            new PoisonFilter<>(
                RecordChecks.checked(Serdes.REQUEST), SINK_REQUESTS_DLT, deadLettered),
        "requests");
    topology.addProcessor(
        DECODE_RESULTS,
        () ->
            new PoisonFilter<>(
                RecordChecks.checked(Serdes.AGENT_RESULT), SINK_RESULTS_DLT, deadLettered),
        "results");
    topology.addProcessor(
        BARRIER,
        () -> new BarrierProcessor(barrier, tickInterval, layers),
        DECODE_REQUESTS,
        DECODE_RESULTS);
    topology.addSink(
        SINK_REQUESTS_DLT,
        Topics.REQUESTS.dltName(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        DECODE_REQUESTS);
    topology.addSink(
        SINK_RESULTS_DLT,
        Topics.AGENT_RESULTS.dltName(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        DECODE_RESULTS);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STORE),
            org.apache.kafka.common.serialization.Serdes.String(),
            readableOrNull(Serdes.REQUEST_STATE)),
        BARRIER);
    topology.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(RUNS_STORE),
                org.apache.kafka.common.serialization.Serdes.String(),
                Serdes.RUN_STATE)
            .withLoggingDisabled(),
        "runs",
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        Topics.RUNS.name(),
        "runs-loader",
        RunsLoader::new);
    topology.addSink(
        SINK_TASKS,
        Topics.AGENT_TASKS.name(),
        new StringSerializer(),
        Serdes.AGENT_TASK.serializer(),
        BARRIER);
    topology.addSink(
        SINK_AGGREGATE,
        Topics.AGGREGATE_TASKS.name(),
        new StringSerializer(),
        Serdes.AGGREGATE_TASK.serializer(),
        BARRIER);
    topology.addSink(
        SINK_ANSWERS,
        Topics.ANSWERS.name(),
        new StringSerializer(),
        Serdes.FINAL_ANSWER.serializer(),
        BARRIER);
    return topology;
  }

  /**
   * Keeps the global runs store equal to the compacted topic (a null value deletes). A record it
   * cannot decode or that holds an impossible value is skipped with an error: a global store has no
   * producer for a dead letter, and every orchestrator re-reads the whole topic at each start (see
   * docs/decisions/024).
   */
  static final class RunsLoader implements Processor<String, byte[], Void, Void> {
    private static final AvroSerde<RunState> SERDE = RecordChecks.checked(Serdes.RUN_STATE);
    private KeyValueStore<String, RunState> runs;
    private ProcessorContext<Void, Void> context;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      this.context = context;
      runs = context.getStateStore(RUNS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      if (record.key() == null) {
        return;
      }
      if (record.value() == null) {
        runs.delete(record.key());
        return;
      }
      RunState state;
      try {
        state = SERDE.fromBytes(record.value());
      } catch (SerializationException e) {
        topologyLog.error(
            "skipping run record {} at {}: {}",
            record.key(),
            context
                .recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("?"),
            e.getMessage());
        return;
      }
      runs.put(record.key(), state);
    }
  }

  /**
   * Decodes and checks one input's records: a good one goes on to the barrier; one that cannot be
   * decoded, has an unknown schema fingerprint or an impossible value, or that makes the barrier
   * throw, goes to the input's dead-letter topic with its original key, value and headers plus the
   * {@link DeadLetters} headers, and the partition moves on.
   */
  static final class PoisonFilter<V> implements Processor<byte[], byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(PoisonFilter.class);

    private final AvroSerde<? extends V> serde;
    private final String deadLetterSink;
    private final java.util.function.Consumer<String> deadLettered;
    private ProcessorContext<Object, Object> context;

    PoisonFilter(
        AvroSerde<? extends V> serde,
        String deadLetterSink,
        java.util.function.Consumer<String> deadLettered) {
      this.serde = serde;
      this.deadLetterSink = deadLetterSink;
      this.deadLettered = deadLettered;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
      this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      Object value;
      try {
        if (record.value() == null) {
          throw new SerializationException("record has no value");
        }
        value = serde.fromBytes(record.value());
      } catch (SerializationException e) {
        deadLetter(record, e);
        return;
      }
      String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
      try {
        context.forward(record.withKey((Object) key).withValue(value), BARRIER);
      } catch (KafkaException e) {
        throw e; // Kafka's own failures (a migrated task, a fenced producer): not the record's
      } catch (RuntimeException e) {
        // A decodable record the checks let through that still breaks the barrier: without
        // this it would fail the stream thread again after every replacement.
        deadLetter(record, e);
      }
    }

    private void deadLetter(Record<byte[], byte[]> record, RuntimeException cause) {
      String topic = context.recordMetadata().map(m -> m.topic()).orElse("?");
      int partition = context.recordMetadata().map(m -> m.partition()).orElse(-1);
      long offset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
      log.warn("dead-lettering {}-{}@{}: {}", topic, partition, offset, cause.getMessage());
      Headers headers = DeadLetters.headers(record.headers(), cause, topic, partition, offset);
      context.forward(
          new Record<Object, Object>(record.key(), record.value(), record.timestamp(), headers),
          deadLetterSink);
      try {
        deadLettered.accept(topic);
      } catch (RuntimeException e) {
        log.warn("dead-letter listener failed: {}", e.toString());
      }
    }
  }

  static final class BarrierProcessor implements Processor<String, Object, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(BarrierProcessor.class);

    private final Barrier barrier;
    private final Duration tickInterval;
    private final LayerListener layers;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, RequestState> store;
    private KeyValueStore<String, RunState> runs;

    BarrierProcessor(Barrier barrier, Duration tickInterval, LayerListener layers) {
      this.barrier = barrier;
      this.tickInterval = tickInterval;
      this.layers = layers;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
      this.runs = context.getStateStore(RUNS_STORE);
      context.schedule(tickInterval, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, Object> record) {
      long now = context.currentSystemTimeMs();
      Object value = record.value();
      if (value instanceof MoaRequest request) {
        String id = request.getRequestId();
        apply(id, barrier.onRequest(store.get(id), request, cancelReason(request), now));
      } else if (value instanceof AgentResult result) {
        String id = result.getRequestId();
        RequestState state = store.get(id);
        String cancelled = state == null ? null : cancelReason(state.getRequest());
        apply(
            id,
            cancelled != null
                ? barrier.onRunCancelled(state, cancelled, now)
                : barrier.onResult(state, result, now));
      } else if (value != null) {
        log.warn("ignoring a record of unexpected type {}", value.getClass().getName());
      }
    }

    private void tick(long wallClock) {
      java.util.List<String> due = new java.util.ArrayList<>();
      java.util.List<Step> steps = new java.util.ArrayList<>();
      java.util.List<String> undecodable = new java.util.ArrayList<>();
      try (KeyValueIterator<String, RequestState> it = store.all()) {
        while (it.hasNext()) {
          var entry = it.next();
          if (entry.value == null) {
            undecodable.add(entry.key);
            continue;
          }
          String cancelled = cancelReason(entry.value.getRequest());
          Step step =
              cancelled != null
                  ? barrier.onRunCancelled(entry.value, cancelled, wallClock)
                  : barrier.onTick(entry.value, wallClock);
          if (!step.ignored()) {
            due.add(entry.key);
            steps.add(step);
          }
        }
      }
      for (String key : undecodable) {
        log.error("request {}: its barrier state cannot be decoded; the state is dropped", key);
        store.delete(key);
      }
      for (int i = 0; i < due.size(); i++) {
        apply(due.get(i), steps.get(i));
      }
    }

    /** Why the request's run was cancelled, or null when it goes on (or has no run). */
    private String cancelReason(MoaRequest request) {
      if (request == null || request.getRunId() == null) {
        return null;
      }
      RunState run = runs.get(request.getRunId());
      if (run == null || run.getStatus() != RunStatus.CANCELLED) {
        return null;
      }
      return "cancelled: run "
          + run.getRunId()
          + " was cancelled"
          + (run.getReason() == null ? "" : " (" + run.getReason() + ")");
    }

    private void apply(String requestId, Step step) {
      if (step.ignored()) {
        if (step.note() != null) {
          log.debug("{}: {}", requestId, step.note());
        }
        return;
      }
      switch (step.change()) {
        case PUT -> store.put(requestId, step.state());
        case DELETE -> store.delete(requestId);
        case UNCHANGED -> {}
      }
      long now = context.currentSystemTimeMs();
      step.tasks()
          .forEach(t -> context.forward(new Record<>(t.getTaskId(), (Object) t, now), SINK_TASKS));
      if (step.aggregate() != null) {
        context.forward(new Record<>(requestId, (Object) step.aggregate(), now), SINK_AGGREGATE);
      }
      if (step.answer() != null) {
        context.forward(new Record<>(requestId, (Object) step.answer(), now), SINK_ANSWERS);
      }
      if (step.layerDone() != null) {
        try {
          layers.onLayerDone(step.layerDone());
        } catch (RuntimeException e) {
          log.warn("layer listener failed: {}", e.toString());
        }
      }
      if (step.aggregate() != null || step.answer() != null) {
        // The aggregator and answer readers see only committed records: commit now rather than
        // at the next commit interval. Agent tasks need no such push (workers read uncommitted).
        context.commit();
      }
    }
  }
}
