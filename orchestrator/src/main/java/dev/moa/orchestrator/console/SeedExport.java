package dev.moa.orchestrator.console;

import dev.moa.protocol.config.AgentConfig;
import dev.moa.protocol.config.LayerConfig;
import dev.moa.protocol.config.MoaConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a config as the seed app's export ({@code {"ai_configuration": {...}, "exported_at",
 * "version": "2.0"}}), the inverse of {@code SeedImporter}. The seed app knows one agent list for
 * every layer and no providers or max_tokens: those are dropped, and what is lost is listed in
 * {@link Export#warnings()}.
 */
public final class SeedExport {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private SeedExport() {}

  /**
   * @param json the seed app's export
   * @param warnings what the seed format could not keep, one line each
   */
  public record Export(ObjectNode json, List<String> warnings) {}

  public static Export of(MoaConfig config, Instant now) {
    List<String> warnings = new ArrayList<>();
    List<LayerConfig> layers = config.layers();
    LayerConfig first = layers.get(0);
    for (int i = 1; i < layers.size(); i++) {
      if (!layers.get(i).equals(first)) {
        warnings.add(
            "layers["
                + i
                + "] has other agents than layers[0]; the seed app runs layers[0]'s agents in"
                + " every layer");
      }
    }
    ObjectNode ai = JSON.createObjectNode();
    ai.put("main_model", config.aggregator().model());
    ai.put("main_temperature", config.aggregator().temperature());
    ai.put("cycles", layers.size());
    ai.put("system_prompt", config.aggregator().prompt());
    ArrayNode agents = ai.putArray("layer_agents");
    for (AgentConfig a : first.agents()) {
      ObjectNode agent = agents.addObject();
      agent.put("name", a.name());
      agent.put("model", a.model());
      agent.put("temperature", a.temperature());
      agent.put("prompt", a.prompt());
    }
    boolean otherProvider =
        first.agents().stream().anyMatch(a -> !a.provider().equals("cerebras"))
            || !config.aggregator().provider().equals("cerebras");
    if (otherProvider) {
      warnings.add("providers other than cerebras are dropped (the seed app calls Cerebras only)");
    }
    ObjectNode root = JSON.createObjectNode();
    root.set("ai_configuration", ai);
    root.put("exported_at", now.toString());
    root.put("version", "2.0");
    return new Export(root, warnings);
  }
}
