package dev.moa.orchestrator.security;

import dev.moa.orchestrator.openai.OpenAiError;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every error of the HTTP API is {@code {"error": "..."}} with the status code; on the
 * OpenAI-compatible paths it is OpenAI's {@code {"error": {"message", "type", "param", "code"}}}.
 */
public final class JsonErrors {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private JsonErrors() {}

  public static Map<String, Object> body(String message) {
    return Map.of("error", message);
  }

  /** Writes the error straight to the response (from a filter, before any handler). */
  public static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String message) {
    var response = exchange.getResponse();
    response.setStatusCode(status);
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    // The OpenAI-compatible paths answer in OpenAI's error shape, guards included.
    boolean openAi =
        OpenAiError.covers(exchange.getRequest().getPath().pathWithinApplication().value());
    byte[] bytes =
        JSON.writeValueAsBytes(
            openAi ? OpenAiError.forStatus(status.value(), message) : body(message));
    return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
  }
}
