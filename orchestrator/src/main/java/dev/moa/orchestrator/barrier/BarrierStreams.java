package dev.moa.orchestrator.barrier;

import dev.moa.orchestrator.OrchestratorProperties;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
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
  private volatile KafkaStreams streams;

  public BarrierStreams(KafkaSettings settings, OrchestratorProperties props) {
    this.settings = settings;
    this.props = props;
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
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 1);
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
            BarrierTopology.build(barrier, props.tick()), streamsConfig(settings, props));
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
      streams = null;
    }
  }

  @Override
  public boolean isRunning() {
    return streams != null;
  }

  public KafkaStreams.State state() {
    KafkaStreams s = streams;
    return s == null ? KafkaStreams.State.NOT_RUNNING : s.state();
  }
}
