package dev.moa.eval.sweep;

import dev.moa.protocol.config.ConfigError;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.ConfigWriter;
import dev.moa.protocol.config.MoaConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Turns a space and a base config into the sweep's configurations: every combination (grid) or
 * {@code count} distinct combinations drawn with {@code java.util.Random(seed)} (random; the same
 * seed always gives the same configurations), listed in grid order.
 *
 * <p>A combination is applied to the base config's YAML tree (explicit-layers form) and the result
 * is validated by the config parser, so a combination the pipeline cannot run (say one agent with
 * {@code min_successes: 2}) is an error naming the configuration and the field. Structure first:
 * {@code layers} keeps the first N layers or repeats the last one; {@code agents} keeps the first N
 * agents of every layer or cycles them (copies named {@code NAME_2}, {@code NAME_3}, ...); then the
 * per-agent and aggregator values.
 */
public final class SpaceExpander {

  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private SpaceExpander() {}

  /**
   * @param source names the space file in errors
   * @throws ConfigException when some combination gives an invalid config (every one is listed)
   */
  public static List<Configuration> expand(SweepSpace space, MoaConfig base, String source)
      throws ConfigException {
    List<Long> combos = indices(space);
    int width = Math.max(2, String.valueOf(combos.size()).length());
    JsonNode baseTree = YAML.readTree(ConfigWriter.toYaml(base));
    List<Configuration> out = new ArrayList<>();
    List<ConfigError> errors = new ArrayList<>();
    for (int i = 0; i < combos.size(); i++) {
      String id = String.format("c%0" + width + "d", i + 1);
      Map<String, SweepSpace.Choice> chosen = combination(space, combos.get(i));
      Map<String, String> labels = new LinkedHashMap<>();
      chosen.forEach((k, v) -> labels.put(k, v.label()));
      ObjectNode tree = (ObjectNode) baseTree.deepCopy();
      String name = space.name();
      name = name.length() > 60 - width ? name.substring(0, 60 - width) : name;
      tree.put("name", name + "-" + id);
      apply(tree, chosen);
      try {
        MoaConfig config = ConfigLoader.parse(YAML.writeValueAsString(tree), "configuration " + id);
        out.add(new Configuration(id, labels, config, ConfigWriter.toYaml(config)));
      } catch (ConfigException e) {
        for (ConfigError err : e.errors()) {
          errors.add(
              new ConfigError(
                  "configuration " + id + " (" + Configuration.label(labels) + ")",
                  (err.path().isEmpty() ? "" : err.path() + ": ") + err.message()));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(source, errors);
    }
    return out;
  }

  /** The chosen combinations' grid indices, ascending. */
  static List<Long> indices(SweepSpace space) {
    long size = space.gridSize();
    if (space.strategy() == SweepSpace.Strategy.GRID) {
      List<Long> all = new ArrayList<>();
      for (long i = 0; i < size; i++) {
        all.add(i);
      }
      return all;
    }
    if (space.count() > size) {
      throw new IllegalArgumentException(
          "count " + space.count() + " is more than the " + size + " combinations");
    }
    Random random = new Random(space.seed());
    TreeSet<Long> drawn = new TreeSet<>();
    while (drawn.size() < space.count()) {
      drawn.add(random.nextLong(size));
    }
    return new ArrayList<>(drawn);
  }

  /** Grid index → the value of every dimension (the first dimension varies slowest). */
  static Map<String, SweepSpace.Choice> combination(SweepSpace space, long index) {
    List<SweepSpace.Dimension> dims = space.dimensions();
    SweepSpace.Choice[] picked = new SweepSpace.Choice[dims.size()];
    long rest = index;
    for (int d = dims.size() - 1; d >= 0; d--) {
      int n = dims.get(d).choices().size();
      picked[d] = dims.get(d).choices().get((int) (rest % n));
      rest /= n;
    }
    Map<String, SweepSpace.Choice> out = new LinkedHashMap<>();
    for (int d = 0; d < dims.size(); d++) {
      out.put(dims.get(d).name(), picked[d]);
    }
    return out;
  }

  private static void apply(ObjectNode tree, Map<String, SweepSpace.Choice> chosen) {
    ArrayNode layers = (ArrayNode) tree.get("layers");
    SweepSpace.Choice layerCount = chosen.get("layers");
    if (layerCount != null) {
      int n = layerCount.value().asInt();
      while (layers.size() > n) {
        layers.remove(layers.size() - 1);
      }
      JsonNode last = layers.get(layers.size() - 1);
      while (layers.size() < n) {
        layers.add(last.deepCopy());
      }
    }
    SweepSpace.Choice agentCount = chosen.get("agents");
    if (agentCount != null) {
      int k = agentCount.value().asInt();
      for (JsonNode layer : layers) {
        // A stage without its own agents list (if the config has such stages) is left alone.
        if (!(layer.get("agents") instanceof ArrayNode agents) || agents.isEmpty()) {
          continue;
        }
        int size = agents.size();
        while (agents.size() > k) {
          agents.remove(agents.size() - 1);
        }
        for (int i = size; i < k; i++) {
          ObjectNode copy = ((ObjectNode) agents.get(i % size)).deepCopy();
          copy.put("name", copy.get("name").asString() + "_" + (i / size + 1));
          agents.add(copy);
        }
      }
    }
    for (Map.Entry<String, SweepSpace.Choice> e : chosen.entrySet()) {
      JsonNode value = e.getValue().value();
      switch (e.getKey()) {
        case "model" -> {
          for (JsonNode layer : layers) {
            if (!(layer.get("agents") instanceof ArrayNode agents)) {
              continue;
            }
            for (int i = 0; i < agents.size(); i++) {
              JsonNode model = value.isArray() ? value.get(i % value.size()) : value;
              ((ObjectNode) agents.get(i)).set("model", model.deepCopy());
            }
          }
        }
        case "temperature", "max_tokens", "prompt" -> {
          for (JsonNode layer : layers) {
            for (JsonNode agent : layer.path("agents")) {
              ((ObjectNode) agent).set(e.getKey(), value.deepCopy());
            }
          }
        }
        case "aggregator_model",
            "aggregator_temperature",
            "aggregator_max_tokens",
            "aggregator_prompt" ->
            ((ObjectNode) tree.get("aggregator"))
                .set(e.getKey().substring("aggregator_".length()), value.deepCopy());
        default -> {
          // layers and agents: applied above
        }
      }
    }
  }
}
