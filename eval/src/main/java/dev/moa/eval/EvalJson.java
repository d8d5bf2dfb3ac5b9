package dev.moa.eval;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON helpers shared by the eval readers and writers. */
final class EvalJson {

  /**
   * Rejects duplicate keys and trailing content; keeps decimal numbers exact so a target's text
   * survives a round trip.
   */
  static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private static final int SHOWN = 80;

  private EvalJson() {}

  /** A value as JSON text for an error message, shortened to about 80 characters. */
  static String show(JsonNode value) {
    return abbreviate(value == null ? "null" : value.toString());
  }

  static String abbreviate(String text) {
    String oneLine = text.replace("\r", "\\r").replace("\n", "\\n");
    if (oneLine.length() <= SHOWN) {
      return oneLine;
    }
    return oneLine.substring(0, SHOWN) + "... (" + oneLine.length() + " chars)";
  }

  /** A parse error without Jackson's multi-line source excerpt: {@code message at column N}. */
  static String parseError(JacksonException e) {
    String message = e.getOriginalMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    int nl = message.indexOf('\n');
    if (nl >= 0) {
      message = message.substring(0, nl);
    }
    var location = e.getLocation();
    if (location != null && location.getColumnNr() > 0) {
      message += " at column " + location.getColumnNr();
    }
    return message;
  }

  /** The JSON type of a node for messages: string, number, boolean, array, object or null. */
  static String typeOf(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "null";
    }
    if (node.isString()) {
      return "string";
    }
    if (node.isNumber()) {
      return "number";
    }
    if (node.isBoolean()) {
      return "boolean";
    }
    if (node.isArray()) {
      return "array";
    }
    if (node.isObject()) {
      return "object";
    }
    return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
