package dev.moa.provider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Assembles one attempt's OpenAI-style streamed chat completion from the {@code data} payloads of
 * its server-sent events. Pure and single-threaded: feed it with {@link #accept}, then call {@link
 * #finish}.
 */
final class StreamAccumulator {
  static final String DONE = "[DONE]";

  /** The assembled result of a complete stream. */
  record Completion(
      String content,
      Usage usage,
      String finishReason,
      String model,
      Map<String, Double> timeInfo) {}

  private final JsonMapper mapper;
  private final UnaryOperator<String> redactor;
  private final StringBuilder content = new StringBuilder();
  private Usage usage = Usage.ZERO;
  private String finishReason;
  private String model;
  private Map<String, Double> timeInfo = Map.of();
  private boolean done;

  StreamAccumulator(JsonMapper mapper) {
    this(mapper, UnaryOperator.identity());
  }

  /**
   * @param redactor applied to server text before it is cut short and put in a failure message
   */
  StreamAccumulator(JsonMapper mapper, UnaryOperator<String> redactor) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.redactor = Objects.requireNonNull(redactor, "redactor");
  }

  /**
   * Takes one {@code data} payload.
   *
   * @return the content delta it carried, {@code ""} when none
   * @throws AttemptFailure MALFORMED_STREAM for a payload that is not a JSON object, or the class
   *     of an {@code error} object the server sent inside the stream
   */
  String accept(String data) {
    if (done || data == null || data.isBlank()) {
      return "";
    }
    String payload = data.strip();
    if (DONE.equals(payload)) {
      done = true;
      return "";
    }
    JsonNode root;
    try {
      root = mapper.readTree(payload);
    } catch (JacksonException e) {
      throw new AttemptFailure(
          ErrorClass.MALFORMED_STREAM,
          "malformed stream chunk (not JSON): " + ErrorText.truncate(redactor.apply(payload)));
    }
    if (root == null || !root.isObject()) {
      throw new AttemptFailure(
          ErrorClass.MALFORMED_STREAM,
          "malformed stream chunk (not a JSON object): "
              + ErrorText.truncate(redactor.apply(payload)));
    }
    JsonNode error = root.get("error");
    if (error != null && !error.isNull()) {
      throw streamError(error);
    }
    String m = text(root.get("model"));
    if (m != null && !m.isEmpty()) {
      model = m;
    }
    JsonNode u = root.get("usage");
    if (u != null && u.isObject()) {
      usage = new Usage(intField(u, "prompt_tokens"), intField(u, "completion_tokens"));
      JsonNode nestedTime = u.get("time_info");
      if (nestedTime != null && nestedTime.isObject()) {
        timeInfo = numbers(nestedTime);
      }
    }
    JsonNode t = root.get("time_info");
    if (t != null && t.isObject()) {
      timeInfo = numbers(t);
    }
    JsonNode choice = firstChoice(root.get("choices"));
    if (choice == null) {
      return "";
    }
    String reason = text(choice.get("finish_reason"));
    if (reason != null) {
      finishReason = reason;
    }
    String delta = text(choice.path("delta").get("content"));
    if (delta == null) {
      // A non-streamed completion (server ignored stream=true) carries the whole message.
      delta = text(choice.path("message").get("content"));
    }
    if (delta == null || delta.isEmpty()) {
      return "";
    }
    content.append(delta);
    return delta;
  }

  /** True once {@code [DONE]} arrived; later payloads are ignored. */
  boolean isDone() {
    return done;
  }

  /** True when the stream may end now: {@code [DONE]} or a {@code finish_reason} arrived. */
  boolean isComplete() {
    return done || finishReason != null;
  }

  String content() {
    return content.toString();
  }

  /**
   * Called when the stream ended.
   *
   * @throws AttemptFailure TRUNCATED_STREAM when neither {@code [DONE]} nor a finish reason came
   */
  Completion finish() {
    if (!isComplete()) {
      throw new AttemptFailure(
          ErrorClass.TRUNCATED_STREAM,
          "stream ended without [DONE] or finish_reason after "
              + content.length()
              + " content chars");
    }
    return new Completion(content.toString(), usage, finishReason, model, timeInfo);
  }

  private static JsonNode firstChoice(JsonNode choices) {
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      return null;
    }
    for (JsonNode c : choices) {
      JsonNode index = c.get("index");
      if (index == null || !index.isNumber() || index.asInt(0) == 0) {
        return c.isObject() ? c : null;
      }
    }
    return null;
  }

  private AttemptFailure streamError(JsonNode error) {
    String message = ErrorText.fromJson(error);
    Integer code = null;
    if (error.isObject()) {
      code = statusCode(error.get("code"));
      if (code == null) {
        code = statusCode(error.get("status"));
      }
    }
    ErrorClass cls;
    if (code != null) {
      cls = ErrorClass.fromHttpStatus(code);
    } else if (message != null) {
      cls = ErrorClass.HTTP_5XX; // a server-side failure mid-stream, like a 5xx
    } else {
      cls = ErrorClass.INTERNAL;
    }
    String text = ErrorText.truncate(redactor.apply(message == null ? error.toString() : message));
    return new AttemptFailure(
        cls,
        "error inside stream" + (code == null ? "" : " (" + code + ")") + ": " + text,
        code,
        null);
  }

  /** An HTTP-like status in a code field (number or numeric string), else null. */
  private static Integer statusCode(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    int v;
    if (node.isNumber()) {
      v = node.asInt(0);
    } else if (node.isString()) {
      try {
        v = Integer.parseInt(node.stringValue().strip());
      } catch (NumberFormatException e) {
        return null;
      }
    } else {
      return null;
    }
    return v >= 400 && v <= 599 ? v : null;
  }

  private static String text(JsonNode node) {
    return node != null && node.isString() ? node.stringValue() : null;
  }

  private static int intField(JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    return n != null && n.isNumber() ? n.asInt(0) : 0;
  }

  private static Map<String, Double> numbers(JsonNode obj) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : obj.properties()) {
      if (e.getValue().isNumber()) {
        out.put(e.getKey(), e.getValue().asDouble(0));
      }
    }
    return out;
  }
}
