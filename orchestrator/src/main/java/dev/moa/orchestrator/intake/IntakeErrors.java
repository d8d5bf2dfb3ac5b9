package dev.moa.orchestrator.intake;

import dev.moa.orchestrator.OrchestratorProperties;
import dev.moa.orchestrator.security.JsonErrors;
import java.util.Map;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * Turns a body Spring cannot take (too large, wrong media type, none) into {@code {"error": "..."}}
 * naming the field and the problem, instead of Spring's generic "Bad Request".
 */
@RestControllerAdvice
class IntakeErrors {

  private final long maxBodyBytes;

  IntakeErrors(OrchestratorProperties props) {
    this.maxBodyBytes = props.maxBodyBytes();
  }

  @ExceptionHandler(ResponseStatusException.class)
  ResponseEntity<Map<String, Object>> unreadable(ResponseStatusException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DataBufferLimitException) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
            .body(JsonErrors.body("body: larger than the limit of " + maxBodyBytes + " bytes"));
      }
    }
    String reason = e.getReason() == null ? e.getStatusCode().toString() : e.getReason();
    if (e instanceof ServerWebInputException && e.getCause() != null) {
      reason = reason + ": " + e.getCause().getMessage();
    }
    // Only errors about the body say "body:"; an unknown path or method is not the body's fault.
    boolean aboutBody =
        e instanceof ServerWebInputException || e instanceof UnsupportedMediaTypeStatusException;
    return ResponseEntity.status(e.getStatusCode())
        .body(JsonErrors.body(aboutBody ? "body: " + reason : reason));
  }
}
