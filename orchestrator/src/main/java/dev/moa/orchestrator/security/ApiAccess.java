package dev.moa.orchestrator.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Function;

/**
 * Who may call the HTTP API. Bound to loopback it is open (only this machine reaches it); bound
 * anywhere else every API call needs {@code Authorization: Bearer <token>}, the token read from an
 * environment variable at start. Plain Java, unit-tested; {@link ApiTokenFilter} applies it.
 */
public final class ApiAccess {

  /** The default name of the environment variable holding the token. */
  public static final String DEFAULT_TOKEN_ENV = "MOA_API_TOKEN";

  private static final int MIN_TOKEN_LENGTH = 16;

  /** SHA-256 of the token, or null when the API is open (loopback). */
  private final byte[] tokenDigest;

  private final String tokenEnv;

  private ApiAccess(byte[] tokenDigest, String tokenEnv) {
    this.tokenDigest = tokenDigest;
    this.tokenEnv = tokenEnv;
  }

  /**
   * The access rule for a server bound to {@code address}.
   *
   * @param address {@code server.address}; null means every interface
   * @param tokenEnv the variable holding the token (its name; the value is never logged)
   * @throws ApiAccessException when bound beyond loopback and the variable is unset, blank or too
   *     short: the service must not start with an open API on the network
   */
  public static ApiAccess forAddress(
      String address, String tokenEnv, Function<String, String> env) {
    if (tokenEnv == null || !tokenEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new ApiAccessException(
          "moa.orchestrator.api-token-env: '" + tokenEnv + "' is not an environment variable name");
    }
    if (isLoopback(address)) {
      return new ApiAccess(null, tokenEnv);
    }
    String token = env.apply(tokenEnv);
    if (token == null || token.isBlank()) {
      throw new ApiAccessException(
          "server.address is "
              + (address == null ? "unset (every interface)" : "'" + address + "'")
              + ", not loopback: the HTTP API then requires a bearer token, but the environment"
              + " variable "
              + tokenEnv
              + " is not set. Set it (e.g. from a Kubernetes Secret) or bind 127.0.0.1.");
    }
    if (token.strip().length() < MIN_TOKEN_LENGTH) {
      throw new ApiAccessException(
          "the environment variable "
              + tokenEnv
              + " holds a token shorter than "
              + MIN_TOKEN_LENGTH
              + " characters; use a long random value (e.g. openssl rand -hex 32)");
    }
    return new ApiAccess(sha256(token.strip()), tokenEnv);
  }

  /** The API may not start as configured; the message says why and what to do. */
  public static final class ApiAccessException extends IllegalStateException {
    ApiAccessException(String message) {
      super(message);
    }
  }

  /** True when a token is required (bound beyond loopback). */
  public boolean tokenRequired() {
    return tokenDigest != null;
  }

  public String tokenEnv() {
    return tokenEnv;
  }

  /**
   * Health and metrics stay open so the kubelet's probes and Prometheus work without the token;
   * they carry no request content (decision 026). So do the web console's static files: they hold
   * no data, and the page sends the token on its own API calls (decision 032).
   */
  public static boolean isPublic(String path) {
    return path.equals("/console")
        || (path.startsWith("/console/") && !path.contains(".."))
        || path.equals("/actuator/health")
        || path.startsWith("/actuator/health/")
        || path.equals("/actuator/prometheus")
        || path.equals("/actuator/info");
  }

  /** The verdict on one call's {@code Authorization} header (null when absent). */
  public Verdict check(String authorization) {
    if (tokenDigest == null) {
      return Verdict.ALLOWED;
    }
    if (authorization == null || authorization.isBlank()) {
      return Verdict.MISSING;
    }
    String prefix = "Bearer ";
    if (authorization.length() < prefix.length()
        || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return Verdict.NOT_BEARER;
    }
    // Digests of equal length, compared in constant time: neither the token's content nor its
    // length leaks through the time a wrong guess takes.
    byte[] given = sha256(authorization.substring(prefix.length()).strip());
    return MessageDigest.isEqual(given, tokenDigest) ? Verdict.ALLOWED : Verdict.WRONG;
  }

  /** The outcome of {@link #check}; {@code message} goes into the 401 body and never the token. */
  public enum Verdict {
    ALLOWED(null),
    MISSING("missing Authorization header: this API requires 'Authorization: Bearer <token>'"),
    NOT_BEARER("Authorization header is not 'Bearer <token>'"),
    WRONG("invalid bearer token");

    public final String message;

    Verdict(String message) {
      this.message = message;
    }
  }

  static boolean isLoopback(String address) {
    if (address == null || address.isBlank()) {
      return false;
    }
    String a = address.strip();
    if (a.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Literal addresses only: a host name is not resolved here (that would be a DNS lookup that
    // could say loopback today and something else tomorrow).
    if (!a.matches("[0-9.]+|\\[?[0-9A-Fa-f:]+]?")) {
      return false;
    }
    try {
      return InetAddress.getByName(a.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return tokenDigest == null
        ? "ApiAccess[open: bound to loopback]"
        : "ApiAccess[bearer token from " + tokenEnv + "]";
  }
}
