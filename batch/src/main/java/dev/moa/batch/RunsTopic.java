package dev.moa.batch;

import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Reads and writes run states on {@code moa.runs} (compacted, key = run id). */
public final class RunsTopic {

  private RunsTopic() {}

  public static List<TopicPartition> partitions() {
    List<TopicPartition> parts = new ArrayList<>();
    for (int p = 0; p < Topics.RUNS.partitions(); p++) {
      parts.add(new TopicPartition(Topics.RUNS.name(), p));
    }
    return parts;
  }

  /** The latest state of every run, read from the beginning to the current end. */
  public static Map<String, RunState> readAll(KafkaSettings settings) {
    Map<String, Object> props = settings.consumer(null, true);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Map<String, RunState> runs = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts = partitions();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out reading " + Topics.RUNS.name());
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          apply(runs, r);
        }
      }
    }
    return runs;
  }

  static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Applies one moa.runs record; undecodable ones are skipped. */
  public static void apply(Map<String, RunState> runs, ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (r.value() == null) {
      runs.remove(r.key());
      return;
    }
    try {
      runs.put(r.key(), Serdes.RUN_STATE.fromBytes(r.value()));
    } catch (RuntimeException e) {
      // Not ours to judge: a record another version wrote; the key's next record replaces it.
    }
  }

  public static void publish(KafkaSettings settings, RunState state) {
    try (KafkaProducer<String, RunState> producer =
        new KafkaProducer<>(
            settings.producer("moa-cli-runs"),
            new StringSerializer(),
            Serdes.RUN_STATE.serializer())) {
      producer
          .send(new ProducerRecord<>(Topics.RUNS.name(), state.getRunId(), state))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot publish run " + state.getRunId() + " to " + Topics.RUNS.name() + ": " + e, e);
    }
  }

  /**
   * Publishes a running run's sample counts on {@code moa.runs} as it goes (the orchestrator shows
   * them as {@code moa.run.samples}). Sends are asynchronous: a slow broker never holds up the run,
   * and a lost update is replaced by the next one. A cancel published by {@code moa cancel} in the
   * moment before the engine has read it can be overwritten by one RUNNING update; the next update,
   * a few seconds later, says CANCELLED again.
   */
  public static final class CountsPublisher implements RunEngine.CountsSink, AutoCloseable {
    private final KafkaProducer<String, RunState> producer;
    private final RunState base;
    private volatile RunEngine.SampleCounts last;

    public CountsPublisher(KafkaSettings settings, RunState base) {
      this.base = base;
      this.producer =
          new KafkaProducer<>(
              settings.producer("moa-cli-run-counts"),
              new StringSerializer(),
              Serdes.RUN_STATE.serializer());
    }

    @Override
    public void publish(RunEngine.SampleCounts counts, String cancelReason, boolean finished) {
      last = counts;
      RunState.Builder b = RunState.newBuilder(base).setUpdatedAtMs(System.currentTimeMillis());
      if (cancelReason != null) {
        b.setStatus(RunStatus.CANCELLED).setReason(cancelReason);
      }
      RunState state = counts.applyTo(b.build());
      producer.send(new ProducerRecord<>(Topics.RUNS.name(), state.getRunId(), state));
    }

    /** The counts last published (null before the first). */
    public RunEngine.SampleCounts last() {
      return last;
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
    }
  }

  public static RunState state(
      String runId, RunStatus status, String dataset, String config, int total, String reason) {
    long now = System.currentTimeMillis();
    return RunState.newBuilder()
        .setRunId(runId)
        .setStatus(status)
        .setDataset(dataset == null ? "" : dataset)
        .setConfigName(config == null ? "" : config)
        .setTotal(total)
        .setReason(reason)
        .setCreatedAtMs(now)
        .setUpdatedAtMs(now)
        .build();
  }
}
