package dev.moa.orchestrator.intake;

import dev.moa.orchestrator.OrchestratorProperties;
import dev.moa.orchestrator.security.JsonErrors;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.metrics.KafkaClientMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code POST /v1/requests}: validate, publish to moa.requests, answer with the request id. */
@RestController
public class IntakeController implements DisposableBean {

  private final RequestIntake intake;
  private final KafkaProducer<String, MoaRequest> producer;
  private final AutoCloseable producerMetrics;

  public IntakeController(
      KafkaSettings settings, OrchestratorProperties props, MeterRegistry registry)
      throws ConfigException {
    MoaConfig defaults =
        props.defaultConfig() == null
            ? ConfigLoader.defaultConfig()
            : ConfigLoader.load(Path.of(props.defaultConfig()));
    this.intake =
        new RequestIntake(
            System::getenv,
            props.simulatorBaseUrl(),
            Clock.systemUTC(),
            defaults,
            props.requestLimits());
    this.producer =
        new KafkaProducer<>(
            settings.producer("moa-intake"), new StringSerializer(), Serdes.REQUEST.serializer());
    this.producerMetrics = KafkaClientMeters.bind(registry, producer, "moa-intake");
  }

  /**
   * The body is read as text and parsed by {@link RequestIntake}, so every error names its field.
   */
  @PostMapping(path = "/v1/requests", consumes = MediaType.APPLICATION_JSON_VALUE)
  public Mono<ResponseEntity<Map<String, Object>>> submit(
      @RequestBody(required = false) String body) {
    MoaRequest request;
    try {
      request = intake.accept(body);
    } catch (RequestIntake.TooLargeException e) {
      return Mono.just(
          ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
              .body(JsonErrors.body(e.getMessage())));
    } catch (RequestIntake.RejectedException e) {
      return Mono.just(
          ResponseEntity.status(HttpStatus.BAD_REQUEST).body(JsonErrors.body(e.getMessage())));
    }
    return Mono.create(
        sink ->
            producer.send(
                new ProducerRecord<>(Topics.REQUESTS.name(), request.getRequestId(), request),
                (meta, ex) -> {
                  if (ex != null) {
                    sink.success(
                        ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                            .body(
                                Map.of("error", "cannot publish the request: " + ex.getMessage())));
                  } else {
                    sink.success(
                        ResponseEntity.status(HttpStatus.ACCEPTED)
                            .body(
                                Map.of(
                                    "request_id",
                                    request.getRequestId(),
                                    "simulated",
                                    RequestFactory.simulated(request.getConfig()))));
                  }
                }));
  }

  @Override
  public void destroy() {
    KafkaClientMeters.close(producerMetrics);
    producer.close();
  }
}
