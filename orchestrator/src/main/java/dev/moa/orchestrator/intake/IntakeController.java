package dev.moa.orchestrator.intake;

import dev.moa.orchestrator.security.JsonErrors;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.request.RequestFactory;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code POST /v1/requests}: validate, publish to moa.requests, answer with the request id. */
@RestController
public class IntakeController {

  private final RequestIntake intake;
  private final RequestPublisher publisher;

  public IntakeController(RequestIntake intake, RequestPublisher publisher) {
    this.intake = intake;
    this.publisher = publisher;
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
    return publisher
        .publish(request)
        .then(
            Mono.fromSupplier(
                () ->
                    ResponseEntity.status(HttpStatus.ACCEPTED)
                        .body(
                            Map.<String, Object>of(
                                "request_id",
                                request.getRequestId(),
                                "simulated",
                                RequestFactory.simulated(request.getConfig())))))
        .onErrorResume(
            RequestPublisher.PublishFailedException.class,
            ex ->
                Mono.just(
                    ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                        .body(
                            Map.<String, Object>of(
                                "error", "cannot publish the request: " + ex.getMessage()))));
  }
}
