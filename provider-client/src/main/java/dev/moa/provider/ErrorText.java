package dev.moa.provider;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Extracts a readable error message from a server's error body. */
final class ErrorText {
  static final int MAX_CHARS = 300;

  private ErrorText() {}

  /** {@code error.message} (or similar) of a JSON body, else the body text; not truncated. */
  static String fromBody(JsonMapper mapper, String body) {
    if (body == null || body.isBlank()) {
      return "(empty body)";
    }
    try {
      JsonNode root = mapper.readTree(body);
      String m = fromJson(root);
      if (m != null) {
        return m;
      }
    } catch (JacksonException e) {
      // Not JSON: fall through to the raw text.
    }
    return body.strip();
  }

  /** The message inside an OpenAI-style error document or {@code error} node; null if none. */
  static String fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isString()) {
      return node.stringValue();
    }
    if (!node.isObject()) {
      return null;
    }
    for (String field : new String[] {"error", "message", "detail", "msg"}) {
      JsonNode child = node.get(field);
      if (child == null || child.isNull()) {
        continue;
      }
      if (child.isString()) {
        return child.stringValue();
      }
      String nested = fromJson(child);
      if (nested != null) {
        return nested;
      }
    }
    return null;
  }

  static String truncate(String s) {
    if (s == null || s.length() <= MAX_CHARS) {
      return s;
    }
    return s.substring(0, MAX_CHARS) + "…";
  }
}
