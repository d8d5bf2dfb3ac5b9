package dev.moa.simulator;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Parses and validates a {@code /v1/chat/completions} body. */
final class ChatRequestParser {

  static final int DEFAULT_MAX_TOKENS = 1024;
  static final double DEFAULT_TEMPERATURE = 1.0;

  /** A valid request: what the listeners see, plus whether to send a usage chunk. */
  record ChatRequest(ReceivedCall call, boolean includeUsage) {}

  private final JsonMapper mapper;

  ChatRequestParser(JsonMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * @throws ApiError (400) naming the offending field
   */
  ChatRequest parse(String body) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JacksonException e) {
      throw ApiError.invalid(
          null,
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't"
              + " using your HTTP library correctly. The OpenAI API expects a JSON payload.)");
    }
    if (root == null || !root.isObject()) {
      throw ApiError.invalid(null, "The request body must be a JSON object.");
    }
    JsonNode modelNode = root.get("model");
    if (modelNode == null || modelNode.isNull()) {
      throw ApiError.invalid("model", "you must provide a model parameter");
    }
    if (!modelNode.isString() || modelNode.stringValue().isBlank()) {
      throw ApiError.invalid("model", "model must be a non-empty string");
    }
    String model = modelNode.stringValue();
    List<ReceivedCall.Message> messages = messages(root.get("messages"));

    double temperature = DEFAULT_TEMPERATURE;
    JsonNode t = root.get("temperature");
    if (t != null && !t.isNull()) {
      if (!t.isNumber() || !(t.doubleValue() >= 0 && t.doubleValue() <= 2)) {
        throw ApiError.invalid("temperature", "temperature must be a number between 0 and 2");
      }
      temperature = t.doubleValue();
    }

    int maxTokens = DEFAULT_MAX_TOKENS;
    String maxField =
        present(root, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    JsonNode mt = root.get(maxField);
    if (mt != null && !mt.isNull()) {
      if (!mt.isIntegralNumber() || !mt.canConvertToInt() || mt.intValue() < 1) {
        throw ApiError.invalid(maxField, maxField + " must be an integer >= 1");
      }
      maxTokens = mt.intValue();
    }

    boolean stream = bool(root, "stream", "stream");
    boolean includeUsage = false;
    JsonNode so = root.get("stream_options");
    if (so != null && !so.isNull()) {
      if (!so.isObject()) {
        throw ApiError.invalid("stream_options", "stream_options must be an object");
      }
      includeUsage = bool(so, "include_usage", "stream_options.include_usage");
    }

    Long seed = null;
    JsonNode s = root.get("seed");
    if (s != null && !s.isNull()) {
      if (!s.isIntegralNumber() || !s.canConvertToLong()) {
        throw ApiError.invalid("seed", "seed must be an integer");
      }
      seed = s.longValue();
    }
    return new ChatRequest(
        new ReceivedCall(model, messages, temperature, maxTokens, stream, seed), includeUsage);
  }

  private static boolean present(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  private static boolean bool(JsonNode node, String field, String param) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw ApiError.invalid(param, param + " must be a boolean");
    }
    return v.booleanValue();
  }

  private static List<ReceivedCall.Message> messages(JsonNode node) {
    if (node == null || node.isNull()) {
      throw ApiError.invalid("messages", "you must provide a messages parameter");
    }
    if (!node.isArray()) {
      throw ApiError.invalid("messages", "messages must be an array");
    }
    if (node.isEmpty()) {
      throw ApiError.invalid("messages", "messages must contain at least one message");
    }
    List<ReceivedCall.Message> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode m = node.get(i);
      String param = "messages[" + i + "]";
      if (!m.isObject()) {
        throw ApiError.invalid(param, param + " must be an object");
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isString() || role.stringValue().isBlank()) {
        throw ApiError.invalid(param + ".role", param + ".role must be a non-empty string");
      }
      out.add(new ReceivedCall.Message(role.stringValue(), content(m.get("content"), param)));
    }
    return out;
  }

  /** A string, null (empty), or an array of content parts whose text parts are concatenated. */
  private static String content(JsonNode c, String param) {
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isString()) {
      return c.stringValue();
    }
    if (c.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : c) {
        JsonNode text = part.get("text");
        if (text != null && text.isString()) {
          sb.append(text.stringValue());
        }
      }
      return sb.toString();
    }
    throw ApiError.invalid(param + ".content", param + ".content must be a string or an array");
  }
}
