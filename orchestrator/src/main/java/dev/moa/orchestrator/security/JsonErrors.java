package dev.moa.orchestrator.security;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Every error of the HTTP API is {@code {"error": "..."}} with the status code. */
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
    byte[] bytes = JSON.writeValueAsBytes(body(message));
    return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
  }
}
