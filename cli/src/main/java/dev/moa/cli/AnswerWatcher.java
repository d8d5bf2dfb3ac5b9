package dev.moa.cli;

import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.answers.AnswerFollower;
import dev.moa.runtime.answers.AnswerListener;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Submits requests and waits for each one's final answer (read_committed, so exactly the committed
 * one), passing live chunks to a callback while the aggregator streams. The answers are followed by
 * the runtime's {@link AnswerFollower}, as the orchestrator's OpenAI endpoint follows them.
 */
public final class AnswerWatcher implements AutoCloseable {

  private final AnswerFollower follower;
  private final KafkaProducer<String, MoaRequest> producer;

  /** Requests submitted here whose answer has not been handed out yet: their chunks and answer. */
  private final Map<String, Followed> followed = new ConcurrentHashMap<>();

  private record Followed(BlockingQueue<Object> values, AnswerFollower.Subscription subscription) {}

  public AnswerWatcher(KafkaSettings settings) {
    follower = new AnswerFollower(settings, "moa-cli-answers", Duration.ofSeconds(60));
    producer =
        new KafkaProducer<>(
            settings.producer("moa-cli"), new StringSerializer(), Serdes.REQUEST.serializer());
  }

  public void submit(MoaRequest request) {
    String id = request.getRequestId();
    BlockingQueue<Object> values = new LinkedBlockingQueue<>();
    AnswerFollower.Subscription subscription;
    try {
      // Followed before it is sent: nothing of its answer can be missed.
      subscription = follower.follow(id, new ToQueue(values));
    } catch (IllegalStateException e) {
      throw new UserError(UserError.KAFKA, e.getMessage());
    }
    followed.put(id, new Followed(values, subscription));
    try {
      producer
          .send(new ProducerRecord<>(Topics.REQUESTS.name(), id, request))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new UserError(UserError.KAFKA, "cannot publish the request: " + rootMessage(e));
    }
  }

  /** Waits for the request's final answer, or throws a UserError after the timeout. */
  public FinalAnswer await(String requestId, Duration timeout, Consumer<AnswerChunk> onChunk) {
    Followed f = followed.get(requestId);
    if (f == null) {
      throw new IllegalStateException(requestId + " was not submitted through this watcher");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
        Object next = f.values().poll(left, TimeUnit.NANOSECONDS);
        if (next instanceof AnswerChunk chunk) {
          onChunk.accept(chunk);
        } else if (next instanceof FinalAnswer answer) {
          followed.remove(requestId);
          f.subscription().close();
          return answer;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError(UserError.FAILED, "interrupted while waiting for " + requestId);
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
    follower.close();
    followed.clear();
  }

  private record ToQueue(BlockingQueue<Object> values) implements AnswerListener {
    @Override
    public void onChunk(AnswerChunk chunk) {
      values.add(chunk);
    }

    @Override
    public void onAnswer(FinalAnswer answer) {
      values.add(answer);
    }
  }
}
