package dev.moa.orchestrator.security;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Applies {@link ApiAccess} to every HTTP call (401 with a JSON error when the token is missing or
 * wrong), then refuses a body declared larger than the limit (413) before a byte of it is read.
 */
public final class ApiTokenFilter implements WebFilter, Ordered {

  private static final Logger log = LoggerFactory.getLogger(ApiTokenFilter.class);

  private final ApiAccess access;
  private final long maxBodyBytes;

  public ApiTokenFilter(ApiAccess access, long maxBodyBytes) {
    this.access = access;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    var request = exchange.getRequest();
    closeAfterErrorWithBody(exchange);
    String path = request.getPath().pathWithinApplication().value();
    if (!ApiAccess.isPublic(path)) {
      ApiAccess.Verdict verdict =
          access.check(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
      if (verdict != ApiAccess.Verdict.ALLOWED) {
        // The path and the verdict only: never the header's value.
        log.debug("401 for {} {}: {}", request.getMethod(), path, verdict);
        exchange
            .getResponse()
            .getHeaders()
            .set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"moa\"");
        return JsonErrors.write(exchange, HttpStatus.UNAUTHORIZED, verdict.message);
      }
    }
    long declared = request.getHeaders().getContentLength();
    if (request.getMethod() != HttpMethod.GET && declared > maxBodyBytes) {
      // The unread body is still on the wire: close the connection rather than reuse it.
      exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
      return JsonErrors.write(
          exchange,
          HttpStatus.CONTENT_TOO_LARGE,
          "body: " + declared + " bytes exceed the limit of " + maxBodyBytes + " bytes");
    }
    return chain.filter(exchange);
  }

  /**
   * An error answered to a request that carried a body (415, 400, 413, 401 ...) may leave some of
   * that body unread: the connection then closes after the answer ({@code Connection: close}),
   * since a client reusing it would wait for an answer that never comes (seen with the JDK's
   * HttpClient after a 415).
   */
  private static void closeAfterErrorWithBody(ServerWebExchange exchange) {
    HttpHeaders headers = exchange.getRequest().getHeaders();
    boolean hasBody =
        headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    if (!hasBody) {
      return;
    }
    var response = exchange.getResponse();
    response.beforeCommit(
        () -> {
          var status = response.getStatusCode();
          if (status != null && status.isError()) {
            response.getHeaders().set(HttpHeaders.CONNECTION, "close");
          }
          return Mono.empty();
        });
  }

  /** For tests and logs: what this filter enforces, without the token. */
  public Map<String, Object> describe() {
    return Map.of("token_required", access.tokenRequired(), "max_body_bytes", maxBodyBytes);
  }
}
