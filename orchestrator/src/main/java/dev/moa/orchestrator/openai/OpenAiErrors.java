package dev.moa.orchestrator.openai;

import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;

/** Spring's own refusals (a body over the limit, a bad media type) in OpenAI's error shape. */
@RestControllerAdvice(assignableTypes = OpenAiController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class OpenAiErrors {

  @ExceptionHandler(ResponseStatusException.class)
  ResponseEntity<Map<String, Object>> refused(ResponseStatusException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DataBufferLimitException) {
        OpenAiError tooLarge = OpenAiError.tooLarge("body: larger than the limit");
        return ResponseEntity.status(tooLarge.status()).body(tooLarge.body());
      }
    }
    String reason = e.getReason() == null ? e.getStatusCode().toString() : e.getReason();
    return ResponseEntity.status(e.getStatusCode())
        .body(OpenAiError.forStatus(e.getStatusCode().value(), reason));
  }
}
