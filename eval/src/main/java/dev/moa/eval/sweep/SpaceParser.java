package dev.moa.eval.sweep;

import dev.moa.protocol.config.ConfigError;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.FieldReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a sweep space file (YAML), collecting every error with its field path and bad value:
 *
 * <pre>{@code
 * name: demo-sweep
 * base: ../workshop.yaml        # optional; relative to the space file; default: the shipped config
 * strategy: grid                # grid (default): every combination; random: `count` of them
 * count: 8                      # random only
 * seed: 42                      # random only (default 0)
 * dimensions:                   # each a list of values, or a mapping label -> value
 *   layers: [1, 2]              # proposer layers (the base's last layer repeats when adding)
 *   agents: [2, 3]              # agents per layer (the base's agents cycle when adding)
 *   model: [llama3.1-8b, [qwen-3-32b, llama3.1-8b]]   # every agent's model; a list cycles over agents
 *   temperature: [0.1, 0.7]     # every agent's temperature, 0..2
 *   max_tokens: [256, 1024]
 *   prompt: {stepwise: "Think step by step. {helper_response}", terse: "Be brief."}
 *   aggregator_model: [llama-3.3-70b]
 *   aggregator_temperature: [0.1]
 *   aggregator_max_tokens: [1024]
 *   aggregator_prompt: {assistant: "You are a helpful assistant.\n\n{helper_response}"}
 * }</pre>
 */
public final class SpaceParser {

  /** The largest number of configurations one sweep may run. */
  public static final int MAX_CONFIGURATIONS = 1000;

  static final List<String> TOP_KEYS =
      List.of("name", "description", "base", "strategy", "count", "seed", "dimensions");
  static final List<String> DIMENSIONS =
      List.of(
          "layers",
          "agents",
          "model",
          "temperature",
          "max_tokens",
          "prompt",
          "aggregator_model",
          "aggregator_temperature",
          "aggregator_max_tokens",
          "aggregator_prompt");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_.+-]{1,64}");
  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final FieldReader read = new FieldReader(SpaceParser::show);

  private SpaceParser() {}

  /**
   * Parses and checks a space file's text.
   *
   * @param source names the file in messages; its base name is the default sweep name
   * @throws ConfigException every problem, each as {@code source: path: message}
   */
  public static SweepSpace parse(String text, String source) throws ConfigException {
    JsonNode root;
    try {
      root = YAML.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
    } catch (JacksonException e) {
      String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
      int nl = message.indexOf('\n');
      message = nl >= 0 ? message.substring(0, nl) : message;
      var loc = e.getLocation();
      throw new ConfigException(
          source,
          new ConfigError(
              "",
              "YAML syntax error"
                  + (loc != null && loc.getLineNr() > 0
                      ? " at line " + loc.getLineNr() + ", column " + loc.getColumnNr()
                      : "")
                  + ": "
                  + message));
    }
    SpaceParser p = new SpaceParser();
    SweepSpace space = p.read(root, baseName(source));
    if (p.read.errorCount() > 0) {
      throw new ConfigException(source, p.read.errors());
    }
    return space;
  }

  private void error(String path, String message) {
    read.error(path, message);
  }

  private SweepSpace read(JsonNode root, String fallbackName) {
    if (root == null || root.isMissingNode() || root.isNull()) {
      error("", "the document is empty; expected a mapping with dimensions");
      return null;
    }
    if (!root.isObject()) {
      error("", "expected a mapping with dimensions but found " + type(root));
      return null;
    }
    for (String key : root.propertyNames()) {
      if (!TOP_KEYS.contains(key)) {
        error(key, "unknown field; expected one of " + String.join(", ", TOP_KEYS));
      }
    }
    String name = fallbackName;
    JsonNode n = root.get("name");
    if (n != null) {
      if (!n.isString() || !NAME.matcher(n.asString()).matches()) {
        error("name", show(n) + " is not a name; use 1 to 64 characters from A-Z a-z 0-9 _ . -");
      } else {
        name = n.asString();
      }
    } else if (name == null || !NAME.matcher(name).matches()) {
      name = "sweep";
    }
    String base = null;
    JsonNode b = root.get("base");
    if (b != null && !b.isNull()) {
      if (!b.isString() || b.asString().isBlank()) {
        error("base", show(b) + " is not a file path; expected the base config's path");
      } else {
        base = b.asString();
      }
    }
    SweepSpace.Strategy strategy = SweepSpace.Strategy.GRID;
    JsonNode s = root.get("strategy");
    if (s != null) {
      String v = s.isString() ? s.asString().toLowerCase(Locale.ROOT) : "";
      switch (v) {
        case "grid" -> strategy = SweepSpace.Strategy.GRID;
        case "random" -> strategy = SweepSpace.Strategy.RANDOM;
        default -> error("strategy", show(s) + " is not a strategy; expected grid or random");
      }
    }
    int count = 0;
    JsonNode c = root.get("count");
    if (c != null) {
      if (strategy != SweepSpace.Strategy.RANDOM) {
        error("count", "only with strategy: random (a grid runs every combination)");
      } else {
        Long drawn = read.wholeIn(c, "count", 1, MAX_CONFIGURATIONS);
        count = drawn == null ? 0 : drawn.intValue();
      }
    } else if (strategy == SweepSpace.Strategy.RANDOM) {
      error("count", "required with strategy: random (how many configurations to draw)");
    }
    long seed = 0;
    JsonNode sd = root.get("seed");
    if (sd != null) {
      if (strategy != SweepSpace.Strategy.RANDOM) {
        error("seed", "only with strategy: random");
      } else if (!sd.isIntegralNumber() || !sd.canConvertToLong()) {
        error("seed", show(sd) + " is not a whole number");
      } else {
        seed = sd.asLong();
      }
    }
    List<SweepSpace.Dimension> dims = new ArrayList<>();
    JsonNode d = root.get("dimensions");
    if (d == null || d.isNull()) {
      error(
          "dimensions", "required: at least one dimension (" + String.join(", ", DIMENSIONS) + ")");
    } else if (!d.isObject() || d.isEmpty()) {
      error(
          "dimensions",
          show(d) + " is not a mapping of dimensions; expected e.g. {temperature: [0.1, 0.7]}");
    } else {
      for (String key : d.propertyNames()) {
        if (!DIMENSIONS.contains(key)) {
          error(
              "dimensions." + key,
              "unknown dimension; expected one of " + String.join(", ", DIMENSIONS));
          continue;
        }
        SweepSpace.Dimension dim = dimension(key, d.get(key));
        if (dim != null) {
          dims.add(dim);
        }
      }
    }
    if (read.errorCount() > 0) {
      return null;
    }
    SweepSpace space = new SweepSpace(name, base, strategy, count, seed, dims);
    long size;
    try {
      size = space.gridSize();
    } catch (ArithmeticException e) {
      size = Long.MAX_VALUE;
    }
    if (strategy == SweepSpace.Strategy.GRID && size > MAX_CONFIGURATIONS) {
      error(
          "dimensions",
          "the grid has "
              + size
              + " configurations, more than "
              + MAX_CONFIGURATIONS
              + "; use strategy: random with a count");
    }
    if (strategy == SweepSpace.Strategy.RANDOM && count > size) {
      error("count", count + " is more than the " + size + " combinations of the dimensions");
    }
    return space;
  }

  private SweepSpace.Dimension dimension(String key, JsonNode node) {
    String path = "dimensions." + key;
    List<SweepSpace.Choice> choices = new ArrayList<>();
    int before = read.errorCount();
    if (node != null && node.isArray() && !node.isEmpty()) {
      for (int i = 0; i < node.size(); i++) {
        JsonNode v = node.get(i);
        if (check(key, path + "[" + i + "]", v)) {
          choices.add(new SweepSpace.Choice(label(v), v));
        }
      }
    } else if (node != null && node.isObject() && !node.isEmpty()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (!LABEL.matcher(e.getKey()).matches()) {
          error(
              path + "." + e.getKey(),
              "'"
                  + e.getKey()
                  + "' is not a label; use 1 to 64 characters from A-Z a-z 0-9 _ . + -");
        } else if (check(key, path + "." + e.getKey(), e.getValue())) {
          choices.add(new SweepSpace.Choice(e.getKey(), e.getValue()));
        }
      }
    } else {
      error(
          path,
          show(node)
              + " is not a list of values or a mapping of label to value (at least one value)");
      return null;
    }
    Set<String> seen = new HashSet<>();
    Map<String, Integer> first = new LinkedHashMap<>();
    for (int i = 0; i < choices.size(); i++) {
      String label = choices.get(i).label();
      if (!seen.add(label)) {
        error(
            path + (node.isArray() ? "[" + i + "]" : "." + label),
            "duplicate value " + label + " (first at index " + first.get(label) + ")");
      }
      first.putIfAbsent(label, i);
    }
    return read.errorCount() == before ? new SweepSpace.Dimension(key, choices) : null;
  }

  /** Checks one value of a dimension; false (with an error) when it cannot be used. */
  private boolean check(String key, String path, JsonNode v) {
    switch (key) {
      case "layers" -> {
        return read.wholeIn(v, path, 1, 20) != null;
      }
      case "agents" -> {
        return read.wholeIn(v, path, 1, 64) != null;
      }
      case "max_tokens", "aggregator_max_tokens" -> {
        return read.wholeIn(v, path, 1, 1_000_000) != null;
      }
      case "temperature", "aggregator_temperature" -> {
        Double t = read.numberValue(v, path, "; a temperature is 0..2");
        if (t == null) {
          return false;
        }
        if (!(t >= 0 && t <= 2)) {
          error(path, show(v) + " is outside 0..2");
          return false;
        }
        return true;
      }
      case "model" -> {
        if (v != null && v.isArray() && !v.isEmpty()) {
          boolean ok = true;
          for (int i = 0; i < v.size(); i++) {
            ok &= read.text(v.get(i), path + "[" + i + "]", "a model name") != null;
          }
          return ok;
        }
        return read.text(v, path, "a model name or a list of model names (one per agent, cycling)")
            != null;
      }
      case "aggregator_model" -> {
        return read.text(v, path, "a model name") != null;
      }
      default -> {
        return read.text(v, path, "a prompt") != null;
      }
    }
  }

  /** The table label of a listed value: the text itself, shortened, for scalars. */
  static String label(JsonNode v) {
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(x -> parts.add(x.asString()));
      return "[" + String.join(",", parts) + "]";
    }
    String s = v.isNumber() ? v.numberValue().toString() : v.asString();
    s = s.replace('\n', ' ');
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  static String show(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "null";
    }
    String s = v.isString() ? "'" + v.asString() + "'" : v.toString();
    s = s.replace("\n", "\\n");
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static String type(JsonNode v) {
    if (v.isArray()) {
      return "a list";
    }
    if (v.isString()) {
      return "text";
    }
    return v.isNumber() ? "a number" : v.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  static String baseName(String source) {
    if (source == null) {
      return null;
    }
    String n = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
    for (String ext : List.of(".yaml", ".yml")) {
      if (n.toLowerCase(Locale.ROOT).endsWith(ext)) {
        return n.substring(0, n.length() - ext.length());
      }
    }
    return n;
  }
}
