package dev.moa.orchestrator.openai;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error of the OpenAI-compatible endpoints, in OpenAI's shape: {@code {"error": {"message",
 * "type", "param", "code"}}} with the HTTP status OpenAI uses for the same case.
 */
public final class OpenAiError extends Exception {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;

  public OpenAiError(int status, String type, String param, String code, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400: the request cannot be served as given; {@code param} names the field. */
  public static OpenAiError invalid(String param, String message) {
    return new OpenAiError(400, "invalid_request_error", param, null, message);
  }

  /** 404 {@code model_not_found}, as OpenAI answers an unknown model. */
  public static OpenAiError modelNotFound(String model) {
    return new OpenAiError(
        404,
        "invalid_request_error",
        "model",
        "model_not_found",
        "The model '" + model + "' does not exist; GET /v1/models lists moa/<config> models");
  }

  /** 413: over the body or prompt limits. */
  public static OpenAiError tooLarge(String message) {
    return new OpenAiError(413, "invalid_request_error", "messages", "request_too_large", message);
  }

  /** 502: the MoA request ran and failed (its layers or aggregator failed). */
  public static OpenAiError failed(String message) {
    return new OpenAiError(502, "server_error", null, "moa_request_failed", message);
  }

  /** 504: no final answer within the orchestrator's answer timeout. */
  public static OpenAiError timeout(String message) {
    return new OpenAiError(504, "server_error", null, "timeout", message);
  }

  /** 503: Kafka did not take the request, or the answer topics are unreachable. */
  public static OpenAiError unavailable(String message) {
    return new OpenAiError(503, "server_error", null, "unavailable", message);
  }

  /** 500: a config in the catalog does not load (its file and errors named). */
  public static OpenAiError server(String message) {
    return new OpenAiError(500, "server_error", null, null, message);
  }

  public int status() {
    return status;
  }

  /** The JSON body. */
  public Map<String, Object> body() {
    return body(getMessage(), type, param, code);
  }

  public static Map<String, Object> body(String message, String type, String param, String code) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("error", error);
    return out;
  }

  /** The paths whose errors (guards included) use this shape. */
  public static boolean covers(String path) {
    return path.equals("/v1/chat/completions")
        || path.equals("/v1/models")
        || path.startsWith("/v1/models/");
  }

  /** The OpenAI error of a status set by a guard before any handler (401, 413, 404, ...). */
  public static Map<String, Object> forStatus(int status, String message) {
    String type = status >= 500 ? "server_error" : "invalid_request_error";
    String code =
        switch (status) {
          case 401 -> "invalid_api_key";
          case 404 -> "not_found";
          case 413 -> "request_too_large";
          default -> null;
        };
    return body(message, type, null, code);
  }
}
