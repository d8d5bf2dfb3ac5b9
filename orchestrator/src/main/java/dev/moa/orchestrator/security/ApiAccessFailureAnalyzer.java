package dev.moa.orchestrator.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a refused start of the HTTP API (bound beyond loopback without a token) into Spring Boot's
 * short "APPLICATION FAILED TO START" report instead of a stack trace. Registered in {@code
 * META-INF/spring.factories}.
 */
public final class ApiAccessFailureAnalyzer
    extends AbstractFailureAnalyzer<ApiAccess.ApiAccessException> {

  @Override
  protected FailureAnalysis analyze(Throwable root, ApiAccess.ApiAccessException cause) {
    return new FailureAnalysis(
        "The orchestrator's HTTP API refused to start: " + cause.getMessage(),
        "Set the environment variable named by moa.orchestrator.api-token-env (default "
            + ApiAccess.DEFAULT_TOKEN_ENV
            + ") to a long random token (e.g. from a Kubernetes Secret; openssl rand -hex 32),"
            + " or bind loopback with server.address=127.0.0.1.",
        cause);
  }
}
