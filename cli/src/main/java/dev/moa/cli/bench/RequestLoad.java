package dev.moa.cli.bench;

import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Keeps a window of requests outstanding in the pipeline: whenever an answer arrives, the next
 * request is published. Runs on the calling thread, in slices ({@link #runFor}), so a benchmark can
 * measure between slices while the load goes on.
 */
final class RequestLoad implements AutoCloseable {

  private final MoaConfigSnapshot snapshot;
  private final int window;
  private final KafkaProducer<String, MoaRequest> producer;
  private final KafkaConsumer<String, FinalAnswer> answers;
  private final Set<String> outstanding = new HashSet<>();
  private long submitted;
  private long succeeded;
  private long failed;
  private String firstFailure;
  private int next;
  private MoaRequest lastRequest;
  private FinalAnswer lastAnswer;

  RequestLoad(KafkaSettings settings, MoaConfigSnapshot snapshot, int window) {
    this.snapshot = snapshot;
    this.window = window;
    producer =
        new KafkaProducer<>(
            settings.producer("moa-bench-load"),
            new StringSerializer(),
            Serdes.REQUEST.serializer());
    answers =
        new KafkaConsumer<>(
            settings.consumer(null, true),
            new StringDeserializer(),
            Serdes.FINAL_ANSWER.deserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (int p = 0; p < Topics.ANSWERS.partitions(); p++) {
      parts.add(new TopicPartition(Topics.ANSWERS.name(), p));
    }
    answers.assign(parts);
    answers.seekToEnd(parts);
    parts.forEach(answers::position);
  }

  /** Keeps the window full for {@code duration}. */
  void runFor(Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      while (outstanding.size() < window) {
        MoaRequest r =
            RequestFactory.question(
                snapshot,
                "Load question " + next++ + ": what limits a pipeline?",
                null,
                System.currentTimeMillis(),
                Map.of());
        outstanding.add(r.getRequestId());
        submitted++;
        lastRequest = r;
        producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), r.getRequestId(), r));
      }
      producer.flush();
      for (ConsumerRecord<String, FinalAnswer> rec : answers.poll(Duration.ofMillis(20))) {
        if (rec.key() != null && outstanding.remove(rec.key())) {
          if (rec.value().getStatus() == AnswerStatus.SUCCEEDED) {
            succeeded++;
            lastAnswer = rec.value();
          } else {
            failed++;
            if (firstFailure == null) {
              firstFailure = rec.value().getStatus() + ": " + rec.value().getError();
            }
          }
        }
      }
    }
  }

  long submitted() {
    return submitted;
  }

  long succeeded() {
    return succeeded;
  }

  long failed() {
    return failed;
  }

  /** The status and error of the first request that did not succeed, or null. */
  String firstFailure() {
    return firstFailure;
  }

  MoaRequest lastRequest() {
    return lastRequest;
  }

  FinalAnswer lastAnswer() {
    return lastAnswer;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    answers.close(Duration.ofSeconds(5));
  }
}
