package dev.moa.graders;

import java.util.Iterator;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** JSON helpers shared by the graders. */
final class Json {
  static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** Parses options; null/blank gives an empty object; unknown keys are rejected. */
  static JsonNode options(String optionsJson, Set<String> known) {
    if (optionsJson == null || optionsJson.isBlank()) {
      return object();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(optionsJson);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("options are not valid JSON: " + optionsJson, e);
    }
    if (node == null || node.isNull() || node.isMissingNode()) {
      return object();
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("options must be a JSON object, got: " + optionsJson);
    }
    Iterator<String> names = node.propertyNames().iterator();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(
            "unknown option '" + name + "' = " + node.get(name) + " (known: " + known + ")");
      }
    }
    return node;
  }

  static boolean bool(JsonNode options, String name, boolean dflt) {
    JsonNode v = options.get(name);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("option '" + name + "' must be a boolean, got: " + v);
    }
    return v.booleanValue();
  }

  static double nonNegative(JsonNode options, String name, double dflt) {
    JsonNode v = options.get(name);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber() || v.doubleValue() < 0 || !Double.isFinite(v.doubleValue())) {
      throw new IllegalArgumentException(
          "option '" + name + "' must be a non-negative number, got: " + v);
    }
    return v.doubleValue();
  }

  static JsonNode parseTarget(String targetJson) {
    if (targetJson == null || targetJson.isBlank()) {
      throw new IllegalArgumentException("target is required, got: " + targetJson);
    }
    try {
      return MAPPER.readTree(targetJson);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("target is not valid JSON: " + targetJson, e);
    }
  }
}
