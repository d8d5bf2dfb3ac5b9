package dev.moa.orchestrator.barrier;

import dev.moa.orchestrator.OrchestratorProperties;
import dev.moa.protocol.avro.RunState;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.metrics.KafkaClientMeters;
import dev.moa.runtime.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Runs the barrier topology for as long as the service runs. */
@Component
public class BarrierStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(BarrierStreams.class);
  public static final String APPLICATION_ID = "moa-orchestrator";

  private final KafkaSettings settings;
  private final OrchestratorProperties props;
  private final MeterRegistry registry;
  private final LayerListener layers;
  private volatile KafkaStreams streams;
  private volatile KafkaStreamsMetrics streamsMetrics;

  public BarrierStreams(
      KafkaSettings settings,
      OrchestratorProperties props,
      MeterRegistry registry,
      LayerListener layers) {
    this.settings = settings;
    this.props = props;
    this.registry = registry;
    this.layers = layers;
  }

  public static Properties streamsConfig(KafkaSettings settings, OrchestratorProperties props) {
    Properties p = new Properties();
    for (Map.Entry<String, Object> e : settings.common().entrySet()) {
      p.put(e.getKey(), e.getValue());
    }
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, props.stateDir());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, props.streamThreads());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, props.commitInterval().toMillis());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.replicationFactor());
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    KafkaSettings.FAST_FAILOVER.forEach((k, v) -> p.put(StreamsConfig.consumerPrefix(k), v));
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    // Requests and results need no timestamp alignment: never idle waiting for the other input.
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    return p;
  }

  @Override
  public void start() {
    Barrier barrier = new Barrier(props.doneRetention());
    streams =
        new KafkaStreams(
            BarrierTopology.build(
                barrier,
                props.tick(),
                layers,
                topic ->
                    registry
                        .counter(MetricNames.DLT_RECORDS, MetricNames.TAG_TOPIC, topic)
                        .increment()),
            streamsConfig(settings, props));
    // Kafka client metrics of the Streams consumers and producers (lag included), with the tag
    // keys the other Kafka meters carry.
    streamsMetrics = new KafkaStreamsMetrics(streams, KafkaClientMeters.tags(APPLICATION_ID));
    streamsMetrics.bindTo(registry);
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("barrier stream thread failed; replacing it", e);
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.start();
    log.info("barrier started (state in {})", props.stateDir());
  }

  @Override
  public void stop() {
    KafkaStreams s = streams;
    if (s != null) {
      s.close(Duration.ofSeconds(30));
      KafkaClientMeters.close(streamsMetrics);
      streams = null;
    }
  }

  @Override
  public boolean isRunning() {
    return streams != null;
  }

  /** Every run's latest state from the global {@code moa-runs} store; empty unless running. */
  public Collection<RunState> runs() {
    KafkaStreams s = streams;
    if (s == null || s.state() != KafkaStreams.State.RUNNING) {
      return List.of();
    }
    List<RunState> out = new ArrayList<>();
    ReadOnlyKeyValueStore<String, RunState> store =
        s.store(
            StoreQueryParameters.fromNameAndType(
                BarrierTopology.RUNS_STORE, QueryableStoreTypes.<String, RunState>keyValueStore()));
    try (KeyValueIterator<String, RunState> it = store.all()) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }

  public KafkaStreams.State state() {
    KafkaStreams s = streams;
    return s == null ? KafkaStreams.State.NOT_RUNNING : s.state();
  }
}
