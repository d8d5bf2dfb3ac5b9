package dev.moa.orchestrator.intake;

import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.metrics.KafkaClientMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The orchestrator's one producer of {@code moa.requests}, shared by {@code POST /v1/requests} and
 * the OpenAI-compatible endpoint.
 */
@Component
public class RequestPublisher implements DisposableBean {

  private final KafkaProducer<String, MoaRequest> producer;
  private final AutoCloseable producerMetrics;

  public RequestPublisher(KafkaSettings settings, MeterRegistry registry) {
    this.producer =
        new KafkaProducer<>(
            settings.producer("moa-intake"), new StringSerializer(), Serdes.REQUEST.serializer());
    this.producerMetrics = KafkaClientMeters.bind(registry, producer, "moa-intake");
  }

  /**
   * Publishes the request keyed by its id; completes when Kafka acknowledged it, fails with {@link
   * PublishFailedException} when Kafka did not take it.
   */
  public Mono<Void> publish(MoaRequest request) {
    return Mono.create(
        sink ->
            producer.send(
                new ProducerRecord<>(Topics.REQUESTS.name(), request.getRequestId(), request),
                (meta, ex) -> {
                  if (ex != null) {
                    sink.error(new PublishFailedException(ex.getMessage()));
                  } else {
                    sink.success();
                  }
                }));
  }

  @Override
  public void destroy() {
    KafkaClientMeters.close(producerMetrics);
    producer.close(Duration.ofSeconds(5));
  }

  /** Kafka did not take the request; the message is the producer's. */
  public static final class PublishFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PublishFailedException(String message) {
      super(message, null, false, false);
    }
  }
}
