package dev.moa.cli;

import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Submits one request and waits for its final answer (read_committed, so exactly the committed
 * one), passing live chunks to a callback while the aggregator streams.
 */
public final class AnswerWatcher implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, MoaRequest> producer;

  /**
   * Requests submitted here whose answer has not been handed out yet, and answers kept for them.
   */
  private final java.util.Set<String> pending = new java.util.HashSet<>();

  private final Map<String, FinalAnswer> arrived = new java.util.HashMap<>();

  public AnswerWatcher(KafkaSettings settings) {
    Map<String, Object> props = settings.consumer(null, true);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer = new KafkaConsumer<>(props);
    List<TopicPartition> parts = new java.util.ArrayList<>();
    for (var spec : List.of(Topics.ANSWERS, Topics.ANSWER_CHUNKS)) {
      for (int p = 0; p < spec.partitions(); p++) {
        parts.add(new TopicPartition(spec.name(), p));
      }
    }
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    // Resolve the end offsets now, before the request is sent, so nothing is missed.
    parts.forEach(consumer::position);
    producer =
        new KafkaProducer<>(
            settings.producer("moa-cli"), new StringSerializer(), Serdes.REQUEST.serializer());
  }

  public void submit(MoaRequest request) {
    pending.add(request.getRequestId());
    try {
      producer
          .send(new ProducerRecord<>(Topics.REQUESTS.name(), request.getRequestId(), request))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new UserError(UserError.KAFKA, "cannot publish the request: " + rootMessage(e));
    }
  }

  /** Waits for the request's final answer, or throws a UserError after the timeout. */
  public FinalAnswer await(String requestId, Duration timeout, Consumer<AnswerChunk> onChunk) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      FinalAnswer done = arrived.remove(requestId);
      if (done != null) {
        pending.remove(requestId);
        return done;
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        if (r.key() == null || !pending.contains(r.key())) {
          continue;
        }
        try {
          if (r.topic().equals(Topics.ANSWER_CHUNKS.name())) {
            if (requestId.equals(r.key())) {
              onChunk.accept(Serdes.ANSWER_CHUNK.fromBytes(r.value()));
            }
          } else {
            // Answers of other requests submitted here are kept for their own await.
            arrived.put(r.key(), Serdes.FINAL_ANSWER.fromBytes(r.value()));
          }
        } catch (org.apache.kafka.common.errors.SerializationException e) {
          // Not an answer we can read (a poison record under our key): the real one still comes.
        }
      }
    }
    throw new UserError(
        UserError.FAILED, "no answer for " + requestId + " within " + timeout.toSeconds() + " s");
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    consumer.close(Duration.ofSeconds(5));
  }
}
