package dev.moa.protocol.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Converts the seed app's configuration export into this project's YAML:
 *
 * <pre>
 * {"ai_configuration": {"main_model", "main_temperature", "cycles", "system_prompt",
 *                       "layer_agents": [{"name", "model", "temperature", "prompt"}]},
 *  "exported_at": "...", "version": "2.0"}
 * </pre>
 *
 * {@code cycles} becomes the layer count (the same agents in every layer), {@code main_model},
 * {@code main_temperature} and {@code system_prompt} the aggregator; every call gets provider
 * {@code cerebras} and max_tokens 2048; the name comes from the source file's base name. Agent
 * names the seed app allowed but this project does not ({@code "Agent 1"}) are made valid ({@code
 * Agent_1}). The result is validated like any config, and errors name the JSON field.
 */
public final class SeedImporter {

  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final String PROVIDER = "cerebras";
  private static final int MAX_TOKENS = 2048;
  private static final Pattern AGENT_PATH = Pattern.compile("agents\\[(\\d+)\\](.*)");

  private SeedImporter() {}

  /**
   * @param seedJson the export's text
   * @param source the export's file name (its base name becomes the config's name)
   * @throws ConfigException naming the JSON field of every problem, or the line and column of a
   *     JSON syntax error
   */
  public static String toYaml(String seedJson, String source) throws ConfigException {
    JsonNode root = readJson(seedJson, source);
    List<ConfigError> errors = new ArrayList<>();
    Seed seed = read(root, errors);
    if (!errors.isEmpty()) {
      throw new ConfigException(source, errors);
    }
    String yaml = write(seed, source);
    try {
      ConfigLoader.parse(yaml, source);
    } catch (ConfigException e) {
      List<ConfigError> mapped = new ArrayList<>();
      for (ConfigError error : e.errors()) {
        mapped.add(new ConfigError(jsonPath(error.path()), error.message()));
      }
      throw new ConfigException(source, mapped);
    }
    return yaml;
  }

  private record Agent(
      String originalName, String name, String model, double temperature, String prompt) {}

  private record Seed(
      String version,
      String mainModel,
      double mainTemperature,
      int cycles,
      String systemPrompt,
      List<Agent> agents) {}

  private static JsonNode readJson(String text, String source) throws ConfigException {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    try (JsonParser parser = JSON.createParser(body)) {
      JsonNode root = JSON.readTree(parser);
      if (root == null || root.isMissingNode()) {
        throw new ConfigException(source, new ConfigError("", "the document is empty"));
      }
      if (parser.nextToken() != null) {
        throw new ConfigException(
            source,
            new ConfigError(
                "",
                ConfigLoader.syntaxError(
                    "JSON",
                    parser.currentTokenLocation().getLineNr(),
                    parser.currentTokenLocation().getColumnNr(),
                    "unexpected content after the JSON object")));
      }
      return root;
    } catch (JacksonException e) {
      throw new ConfigException(source, new ConfigError("", ConfigLoader.syntaxError("JSON", e)));
    }
  }

  private static Seed read(JsonNode root, List<ConfigError> errors) {
    if (!root.isObject()) {
      errors.add(
          new ConfigError("", "the document is " + FieldReader.show(root) + ", not a JSON object"));
      return null;
    }
    String version = null;
    JsonNode versionNode = root.get("version");
    if (!FieldReader.absent(versionNode)) {
      String text =
          versionNode.isString()
              ? versionNode.stringValue()
              : versionNode.isNumber() ? versionNode.toString() : "";
      if (text.startsWith("2.")) {
        version = text;
      } else {
        errors.add(
            new ConfigError(
                "version", FieldReader.show(versionNode) + " is not supported (expected 2.x)"));
      }
    }
    JsonNode ai = root.get("ai_configuration");
    if (FieldReader.absent(ai)) {
      errors.add(new ConfigError("ai_configuration", "missing (required)"));
      return null;
    }
    if (!ai.isObject()) {
      errors.add(new ConfigError("ai_configuration", FieldReader.show(ai) + " is not an object"));
      return null;
    }
    String p = "ai_configuration.";
    String mainModel = string(ai, "main_model", p, errors);
    Double mainTemperature = number(ai, "main_temperature", p, errors);
    Double cycles = number(ai, "cycles", p, errors);
    if (cycles != null && cycles != Math.rint(cycles)) {
      errors.add(
          new ConfigError(
              p + "cycles", FieldReader.show(ai.get("cycles")) + " is not a whole number"));
    }
    String systemPrompt = string(ai, "system_prompt", p, errors);
    List<Agent> agents = new ArrayList<>();
    JsonNode list = ai.get("layer_agents");
    if (FieldReader.absent(list)) {
      errors.add(new ConfigError(p + "layer_agents", "missing (required)"));
    } else if (!list.isArray()) {
      errors.add(new ConfigError(p + "layer_agents", FieldReader.show(list) + " is not a list"));
    } else {
      for (int i = 0; i < list.size(); i++) {
        String ap = p + "layer_agents[" + i + "]";
        JsonNode agent = list.get(i);
        if (!agent.isObject()) {
          errors.add(new ConfigError(ap, FieldReader.show(agent) + " is not an object"));
          continue;
        }
        String name = string(agent, "name", ap + ".", errors);
        String model = string(agent, "model", ap + ".", errors);
        Double temperature = number(agent, "temperature", ap + ".", errors);
        String prompt = string(agent, "prompt", ap + ".", errors);
        if (name != null && model != null && temperature != null && prompt != null) {
          agents.add(new Agent(name, validName(name), model, temperature, prompt));
        }
      }
    }
    if (!errors.isEmpty()) {
      return null;
    }
    return new Seed(
        version,
        mainModel,
        mainTemperature,
        (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cycles)),
        systemPrompt,
        agents);
  }

  private static String string(JsonNode obj, String key, String prefix, List<ConfigError> errors) {
    JsonNode node = obj.get(key);
    if (FieldReader.absent(node)) {
      errors.add(new ConfigError(prefix + key, "missing (required)"));
      return null;
    }
    if (!node.isString()) {
      errors.add(new ConfigError(prefix + key, FieldReader.show(node) + " is not a string"));
      return null;
    }
    return node.stringValue();
  }

  /** A number; like the seed app, a string holding a number is accepted. */
  private static Double number(JsonNode obj, String key, String prefix, List<ConfigError> errors) {
    JsonNode node = obj.get(key);
    if (FieldReader.absent(node)) {
      errors.add(new ConfigError(prefix + key, "missing (required)"));
      return null;
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isString()) {
      try {
        double value = new BigDecimal(node.stringValue().strip()).doubleValue();
        if (Double.isFinite(value)) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    errors.add(new ConfigError(prefix + key, FieldReader.show(node) + " is not a number"));
    return null;
  }

  /** "Agent 1" → "Agent_1": characters outside [A-Za-z0-9_.-] become _, at most 64 kept. */
  static String validName(String name) {
    String valid = name.strip().replaceAll("[^A-Za-z0-9_.-]", "_");
    return valid.length() > 64 ? valid.substring(0, 64) : valid;
  }

  private static String write(Seed seed, String source) {
    String name = validName(ConfigLoader.baseName(source == null ? "" : source));
    if (name.isEmpty()) {
      name = "imported";
    }
    StringBuilder out = new StringBuilder();
    String shownSource = source == null ? "" : " " + source.replaceAll("\\p{Cntrl}", "?");
    out.append("# Imported from the seed app's export")
        .append(shownSource)
        .append(seed.version == null ? "" : " (version " + seed.version + ")")
        .append(".\n");
    for (Agent agent : seed.agents) {
      if (!agent.name.equals(agent.originalName)) {
        out.append("# Agent name ")
            .append(FieldReader.quote(agent.originalName))
            .append(" became ")
            .append(agent.name)
            .append(" (names use A-Z a-z 0-9 _ . -).\n");
      }
    }
    out.append(
            "# Without CEREBRAS_API_KEY these calls fail; to let the built-in simulator answer\n")
        .append("# instead, add:  providers: {cerebras: {simulate_without_key: true}}\n")
        .append("name: ")
        .append(YamlText.scalar(name))
        .append('\n')
        .append("layers: ")
        .append(seed.cycles)
        .append("  # the seed's cycles: the agents below run in every layer\n")
        .append(seed.agents.isEmpty() ? "agents: []\n" : "agents:\n");
    for (Agent agent : seed.agents) {
      out.append("  - name: ").append(YamlText.scalar(agent.name)).append('\n');
      call(out, "    ", agent.model, agent.temperature, agent.prompt);
    }
    out.append("aggregator:  # the seed's main model and system prompt\n");
    call(out, "  ", seed.mainModel, seed.mainTemperature, seed.systemPrompt);
    return out.toString();
  }

  private static void call(
      StringBuilder out, String indent, String model, double temperature, String prompt) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("model", YamlText.scalar(model));
    fields.put("provider", PROVIDER);
    fields.put("temperature", YamlText.number(temperature));
    fields.put("max_tokens", Integer.toString(MAX_TOKENS));
    fields.put("prompt", YamlText.quoted(prompt));
    fields.forEach((k, v) -> out.append(indent).append(k).append(": ").append(v).append('\n'));
  }

  /** A path in the generated YAML → the seed field it came from. */
  private static String jsonPath(String yamlPath) {
    Matcher agent = AGENT_PATH.matcher(yamlPath);
    if (agent.matches()) {
      return "ai_configuration.layer_agents[" + agent.group(1) + "]" + agent.group(2);
    }
    return switch (yamlPath) {
      case "agents" -> "ai_configuration.layer_agents";
      case "layers" -> "ai_configuration.cycles";
      case "aggregator.model" -> "ai_configuration.main_model";
      case "aggregator.temperature" -> "ai_configuration.main_temperature";
      case "aggregator.prompt" -> "ai_configuration.system_prompt";
      default -> yamlPath;
    };
  }
}
