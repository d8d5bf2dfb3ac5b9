package dev.moa.batch;

import dev.moa.eval.Sample;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes one record per sample to a topic, keyed by the record's request id. Sends are
 * asynchronous; {@link #flush()} waits for them and throws the first failure as a {@link
 * PublishFailedException}.
 */
public final class TopicSubmitter<V> implements RunEngine.Submitter, AutoCloseable {

  /** Publishing failed: the message says what could not be published and why. */
  public static final class PublishFailedException extends RuntimeException {
    public PublishFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What one sample becomes, and its key. */
  public record Keyed<V>(String key, V value) {}

  private final KafkaProducer<String, V> producer;
  private final String topic;
  private final Function<Sample, Keyed<V>> toRecord;
  private final String what;
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  /**
   * @param what what is published, for the error message ("requests", "answers")
   */
  public TopicSubmitter(
      KafkaSettings settings,
      String clientId,
      String topic,
      Serializer<V> serializer,
      String what,
      Function<Sample, Keyed<V>> toRecord) {
    this.producer =
        new KafkaProducer<>(settings.producer(clientId), new StringSerializer(), serializer);
    this.topic = topic;
    this.what = what;
    this.toRecord = toRecord;
  }

  @Override
  public void submit(Sample sample) {
    Keyed<V> r = toRecord.apply(sample);
    producer.send(
        new ProducerRecord<>(topic, r.key(), r.value()),
        (md, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
  }

  @Override
  public void flush() {
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new PublishFailedException("cannot publish " + what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
