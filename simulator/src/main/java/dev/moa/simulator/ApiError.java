package dev.moa.simulator;

/** An OpenAI-style error response: HTTP status plus the fields of {@code {"error": {...}}}. */
final class ApiError extends RuntimeException {

  final int status;
  final String type;
  final String param;
  final String code;

  ApiError(int status, String type, String param, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", param, null, message);
  }
}
