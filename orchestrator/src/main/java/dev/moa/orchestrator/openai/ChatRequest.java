package dev.moa.orchestrator.openai;

import dev.moa.protocol.prompt.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of {@code POST /v1/chat/completions} as far as a MoA serves it. Sampling fields
 * (temperature, max_tokens, top_p, ...) are accepted and ignored: every agent's config decides
 * them. What a MoA cannot do (n &gt; 1, tools, logprobs) is refused naming the field.
 *
 * @param model as given, {@code moa/<config>}
 * @param configName the config's name in the catalog
 * @param includeUsage {@code stream_options.include_usage}: a last chunk carries the usage
 * @param moaLayers {@code moa.layers}: the response carries the {@code moa} object with each
 *     layer's outputs
 */
public record ChatRequest(
    String model,
    String configName,
    List<Message> messages,
    boolean stream,
    boolean includeUsage,
    boolean moaLayers,
    Long seed) {

  public static final String MODEL_PREFIX = "moa/";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static final Set<String> UNSUPPORTED =
      Set.of("tools", "functions", "tool_choice", "function_call", "logprobs", "audio");

  /** Parses a raw body; every error names the field (OpenAI's {@code param}). */
  public static ChatRequest parse(String body) throws OpenAiError {
    if (body == null || body.isBlank()) {
      throw OpenAiError.invalid(null, "body: empty; expected a JSON object");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      String message = e.getOriginalMessage();
      int newline = message.indexOf('\n');
      throw OpenAiError.invalid(
          null, "body: not JSON: " + (newline >= 0 ? message.substring(0, newline) : message));
    }
    if (root == null || !root.isObject()) {
      throw OpenAiError.invalid(null, "body: expected a JSON object");
    }
    String model = text(root, "model");
    if (model == null || model.isBlank()) {
      throw OpenAiError.invalid("model", "model: missing; use moa/<config>, see GET /v1/models");
    }
    if (!model.startsWith(MODEL_PREFIX) || model.length() == MODEL_PREFIX.length()) {
      throw OpenAiError.modelNotFound(model);
    }
    for (String field : UNSUPPORTED) {
      JsonNode v = root.get(field);
      if (v != null && !v.isNull() && !(v.isBoolean() && !v.booleanValue())) {
        throw OpenAiError.invalid(field, field + ": not supported by a MoA model");
      }
    }
    JsonNode n = root.get("n");
    if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.intValue() == 1)) {
      throw OpenAiError.invalid("n", "n: " + n + " is not supported; a MoA gives one choice");
    }
    boolean stream = bool(root, "stream");
    JsonNode options = root.get("stream_options");
    boolean includeUsage = options != null && options.isObject() && bool(options, "include_usage");
    JsonNode moa = root.get("moa");
    boolean moaLayers = moa != null && moa.isObject() && bool(moa, "layers");
    JsonNode seedNode = root.get("seed");
    Long seed = null;
    if (seedNode != null && !seedNode.isNull()) {
      if (!seedNode.canConvertToLong()) {
        throw OpenAiError.invalid("seed", "seed: " + seedNode + " is not an integer");
      }
      seed = seedNode.longValue();
    }
    return new ChatRequest(
        model,
        model.substring(MODEL_PREFIX.length()),
        messages(root.get("messages")),
        stream,
        includeUsage,
        moaLayers,
        seed);
  }

  private static List<Message> messages(JsonNode node) throws OpenAiError {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw OpenAiError.invalid("messages", "messages: missing or empty; expected an array");
    }
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode m = node.get(i);
      String at = "messages[" + i + "]";
      if (!m.isObject()) {
        throw OpenAiError.invalid(at, at + ": expected an object with role and content");
      }
      String role = text(m, "role");
      if ("developer".equals(role)) {
        role = "system"; // OpenAI's newer name for the system role
      }
      if (role == null || !Set.of("system", "user", "assistant").contains(role)) {
        throw OpenAiError.invalid(
            at + ".role",
            at
                + ".role: '"
                + text(m, "role")
                + "' is not one of system, developer, user, assistant");
      }
      out.add(new Message(role, content(m.get("content"), at + ".content")));
    }
    if (!"user".equals(out.get(out.size() - 1).role())) {
      throw OpenAiError.invalid("messages", "messages: the last message must be the user's");
    }
    return out;
  }

  /** A string, or an array of {@code {"type": "text", "text": ...}} parts joined. */
  private static String content(JsonNode c, String at) throws OpenAiError {
    if (c != null && c.isString()) {
      return c.stringValue();
    }
    if (c != null && c.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int j = 0; j < c.size(); j++) {
        JsonNode part = c.get(j);
        if (!"text".equals(text(part, "type")) || text(part, "text") == null) {
          throw OpenAiError.invalid(
              at + "[" + j + "]", at + "[" + j + "]: only text parts are supported");
        }
        text.append(j == 0 ? "" : "\n").append(text(part, "text"));
      }
      return text.toString();
    }
    throw OpenAiError.invalid(at, at + ": missing; expected a string or text parts");
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isString() ? v.stringValue() : null;
  }

  private static boolean bool(JsonNode node, String field) throws OpenAiError {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw OpenAiError.invalid(field, field + ": " + v + " is not true or false");
    }
    return v.booleanValue();
  }
}
