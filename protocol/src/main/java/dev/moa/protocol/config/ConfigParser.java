package dev.moa.protocol.config;

import static dev.moa.protocol.config.FieldReader.absent;
import static dev.moa.protocol.config.FieldReader.join;
import static dev.moa.protocol.config.FieldReader.quote;
import static dev.moa.protocol.config.FieldReader.show;

import dev.moa.protocol.prompt.PromptAssembler;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Turns a YAML tree into a {@link MoaConfig}, collecting every error with its field path. One
 * instance per document.
 */
final class ConfigParser {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  static final String NAME_RULE = "use 1 to 64 characters from A-Z a-z 0-9 _ . -";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

  static final double DEFAULT_TEMPERATURE = 0.7;
  static final int DEFAULT_MAX_TOKENS = 2048;
  static final String DEFAULT_PROMPT = PromptAssembler.PLACEHOLDER;
  static final String DEFAULT_PROVIDER = "cerebras";
  static final int DEFAULT_MIN_SUCCESSES = 1;
  static final Duration DEFAULT_LAYER_TIMEOUT = Duration.ofMinutes(10);
  static final int MAX_LAYERS = 20;
  static final int MAX_TOKENS_LIMIT = 1_000_000;

  static final List<String> TOP_KEYS =
      List.of(
          "name",
          "default_provider",
          "providers",
          "layers",
          "agents",
          "aggregator",
          "reference_prompt",
          "min_successes",
          "layer_timeout",
          "prices");
  static final List<String> AGENT_KEYS =
      List.of("name", "model", "provider", "temperature", "max_tokens", "prompt");
  static final List<String> AGGREGATOR_KEYS =
      List.of("mode", "model", "provider", "temperature", "max_tokens", "prompt", "vote_pattern");
  static final List<String> LAYER_KEYS =
      List.of("agents", "self_moa", "critic", "retry_layer", "max_retries");
  static final List<String> LAYER_FORMS = List.of("agents", "self_moa", "critic");
  static final List<String> SELF_MOA_KEYS =
      List.of("name", "model", "provider", "temperature", "max_tokens", "prompt", "samples");
  static final int MAX_SAMPLES = 64;
  static final int MAX_RETRIES = 10;
  static final int DEFAULT_MAX_RETRIES = 1;
  static final String VOTE_MODEL = "vote";

  /** The judge prompt of a best_of_n aggregator without its own prompt. */
  static final String BEST_OF_N_PROMPT =
      "You are a judge. Below are numbered candidate answers to the user's question. Pick the"
          + " single best one: correct, complete and clear. Explain briefly, then end with a line"
          + " `Best: N` where N is the number of the best candidate.\n\n"
          + PromptAssembler.PLACEHOLDER;

  static final List<String> PROVIDER_KEYS =
      List.of("base_url", "api_key_env", "simulate_without_key");
  static final List<String> PRICE_KEYS = List.of("input", "output");

  private final FieldReader read = new FieldReader();
  private final Map<String, ProviderConfig> providers = new LinkedHashMap<>();
  private String defaultProvider = DEFAULT_PROVIDER;

  List<ConfigError> errors() {
    return read.errors();
  }

  private void error(String path, String message) {
    read.error(path, message);
  }

  /**
   * Reads the document. Returns null when there were errors.
   *
   * @param fallbackName the name to use when the document has none (null: the name is required)
   */
  MoaConfig parse(JsonNode root, String fallbackName) {
    if (root == null || root.isMissingNode() || root.isNull()) {
      error("", "the document is empty; expected a mapping with layers, agents and aggregator");
      return null;
    }
    if (!root.isObject()) {
      error("", "the document is " + show(root) + ", not a mapping");
      return null;
    }
    checkKeys(root, "", TOP_KEYS);

    String name = read.string(root, "name", "");
    if (name == null) {
      if (fallbackName != null && NAME.matcher(fallbackName).matches()) {
        name = fallbackName;
      } else if (absent(root.get("name"))) {
        error("name", "missing (required)");
      }
    } else if (!NAME.matcher(name).matches()) {
      error("name", show(root.get("name")) + " is not a valid name: " + NAME_RULE);
    }

    parseProviders(root.get("providers"));
    String dp = read.string(root, "default_provider", "");
    if (dp != null) {
      defaultProvider = dp;
      if (!providers.containsKey(dp)) {
        error("default_provider", unknownProvider(dp));
      }
    }

    List<LayerConfig> layers = parseLayers(root.get("layers"), root.get("agents"));
    AggregatorConfig aggregator = parseAggregator(root.get("aggregator"), layers);

    String referencePrompt = read.string(root, "reference_prompt", "");
    if (referencePrompt == null) {
      referencePrompt = PromptAssembler.DEFAULT_REFERENCE_PROMPT;
    }

    int minSuccesses = DEFAULT_MIN_SUCCESSES;
    Long ms = read.integer(root, "min_successes", "");
    if (ms != null) {
      if (ms < 1) {
        error("min_successes", show(root.get("min_successes")) + " is less than 1");
      } else if (layers != null && !layers.isEmpty()) {
        int smallest = Integer.MAX_VALUE;
        int where = 0;
        for (int i = 0; i < layers.size(); i++) {
          if (layers.get(i).kind() == LayerConfig.Kind.CRITIC) {
            continue; // a critic layer needs its one critic whatever min_successes says
          }
          int size = layers.get(i).agents().size();
          if (size > 0 && size < smallest) {
            smallest = size;
            where = i;
          }
        }
        if (smallest != Integer.MAX_VALUE && ms > smallest) {
          error(
              "min_successes",
              ms
                  + " is greater than the smallest layer's agent count ("
                  + smallest
                  + " in layers["
                  + where
                  + "])");
        }
      }
      minSuccesses = (int) Math.min(ms, Integer.MAX_VALUE);
    }

    Duration layerTimeout = DEFAULT_LAYER_TIMEOUT;
    JsonNode timeoutNode = root.get("layer_timeout");
    if (!absent(timeoutNode)) {
      if (timeoutNode.isString()) {
        try {
          layerTimeout = Durations.parse(timeoutNode.stringValue());
        } catch (IllegalArgumentException e) {
          error("layer_timeout", show(timeoutNode) + " " + e.getMessage());
        }
      } else if (timeoutNode.isNumber()) {
        error("layer_timeout", show(timeoutNode) + " has no unit (" + Durations.EXAMPLES + ")");
      } else {
        error(
            "layer_timeout", show(timeoutNode) + " is not a duration (" + Durations.EXAMPLES + ")");
      }
    }

    Map<String, ModelPrice> prices = parsePrices(root.get("prices"));

    if (read.errorCount() > 0) {
      return null;
    }
    return new MoaConfig(
        name, layers, aggregator, referencePrompt, providers, minSuccesses, layerTimeout, prices);
  }

  // ---------------------------------------------------------------- providers

  private void parseProviders(JsonNode node) {
    providers.putAll(ProviderConfig.builtIns());
    if (absent(node)) {
      return;
    }
    if (!node.isObject()) {
      error("providers", show(node) + " is not a mapping of provider names to providers");
      return;
    }
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String key = entry.getKey();
      String path = "providers." + key;
      JsonNode value = entry.getValue();
      if (!NAME.matcher(key).matches()) {
        error(path, quote(key) + " is not a valid provider name: " + NAME_RULE);
      }
      ProviderConfig builtIn = ProviderConfig.builtIns().get(key);
      if (value != null && !value.isNull() && !value.isObject()) {
        error(
            path, show(value) + " is not a mapping (base_url, api_key_env, simulate_without_key)");
        providers.put(key, builtIn != null ? builtIn : new ProviderConfig(key, "", null, false));
        continue;
      }
      JsonNode fields = value == null || value.isNull() ? null : value;
      if (fields != null) {
        checkKeys(fields, path, PROVIDER_KEYS);
      }

      String baseUrl = fields == null ? null : read.string(fields, "base_url", path);
      if (baseUrl == null) {
        if (builtIn != null) {
          baseUrl = builtIn.baseUrl();
        } else {
          if (fields == null || absent(fields.get("base_url"))) {
            error(path + ".base_url", "missing (required for a provider that is not built in)");
          }
          baseUrl = "";
        }
      } else if (!validBaseUrl(baseUrl)) {
        error(
            path + ".base_url",
            show(fields.get("base_url"))
                + " is not an http(s) URL (or "
                + ProviderConfig.SIMULATOR_BASE_URL
                + ")");
      }

      String apiKeyEnv = builtIn == null ? null : builtIn.apiKeyEnv();
      JsonNode keyNode = fields == null ? null : fields.get("api_key_env");
      if (keyNode != null && keyNode.isNull()) {
        apiKeyEnv = null; // explicit null: this provider needs no key
      } else if (keyNode != null) {
        if (!keyNode.isString()) {
          error(path + ".api_key_env", show(keyNode) + " is not a string");
        } else if (!ENV_NAME.matcher(keyNode.stringValue()).matches()) {
          // The value is not repeated: it might be a key pasted in by mistake.
          error(
              path + ".api_key_env",
              "must be the name of an environment variable matching [A-Z_][A-Z0-9_]*, not a key"
                  + " (the value is not shown)");
        } else {
          apiKeyEnv = keyNode.stringValue();
        }
      }

      boolean simulate = builtIn != null && builtIn.simulateWithoutKey();
      Boolean sim = fields == null ? null : read.bool(fields, "simulate_without_key", path);
      if (sim != null) {
        simulate = sim;
      }
      providers.put(key, new ProviderConfig(key, baseUrl, apiKeyEnv, simulate));
    }
  }

  static boolean validBaseUrl(String url) {
    if (ProviderConfig.SIMULATOR_BASE_URL.equals(url)) {
      return true;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      return scheme != null
          && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          && uri.getHost() != null
          && !uri.getHost().isEmpty();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private String unknownProvider(String name) {
    return "unknown provider "
        + quote(name)
        + " (known: "
        + String.join(", ", providers.keySet())
        + ")";
  }

  // ---------------------------------------------------------------- layers and agents

  private List<LayerConfig> parseLayers(JsonNode layersNode, JsonNode agentsNode) {
    boolean hasAgents = !absent(agentsNode);
    if (absent(layersNode)) {
      error(
          "layers",
          "missing: give a count (with a top-level agents list) or a list of layers, each"
              + " {agents: [...]}");
      if (hasAgents) {
        parseAgents(agentsNode, "agents");
      }
      return null;
    }
    if (layersNode.isNumber()) {
      Long count = read.integerValue(layersNode, "layers");
      if (count != null && (count < 1 || count > MAX_LAYERS)) {
        error("layers", show(layersNode) + " is outside 1.." + MAX_LAYERS);
        count = null;
      }
      if (!hasAgents) {
        error("agents", "missing (required when layers is a count)");
        return null;
      }
      List<AgentConfig> agents = parseAgents(agentsNode, "agents");
      if (count == null || agents == null) {
        return null;
      }
      return Collections.nCopies(count.intValue(), new LayerConfig(agents));
    }
    if (layersNode.isArray()) {
      if (hasAgents) {
        error(
            "agents",
            "not allowed when layers is a list: put the agents in each layer, or make layers a"
                + " count");
      }
      if (layersNode.isEmpty()) {
        error("layers", "empty list: at least 1 layer is required");
        return null;
      }
      if (layersNode.size() > MAX_LAYERS) {
        error("layers", layersNode.size() + " layers; at most " + MAX_LAYERS + " are allowed");
      }
      List<LayerConfig> layers = new ArrayList<>();
      boolean ok = true;
      for (int i = 0; i < layersNode.size(); i++) {
        String path = "layers[" + i + "]";
        JsonNode layer = layersNode.get(i);
        if (!layer.isObject()) {
          error(path, show(layer) + " is not a mapping with agents");
          ok = false;
          continue;
        }
        checkKeys(layer, path, LAYER_KEYS);
        LayerConfig parsed = parseLayer(layer, path, i);
        if (parsed == null) {
          ok = false;
        } else {
          layers.add(parsed);
        }
      }
      return ok ? layers : null;
    }
    error("layers", show(layersNode) + " is not a count or a list of layers");
    if (hasAgents) {
      parseAgents(agentsNode, "agents");
    }
    return null;
  }

  /** One entry of the list form: exactly one of agents, self_moa, critic. Null when bad. */
  private LayerConfig parseLayer(JsonNode layer, String path, int index) {
    List<String> forms = new ArrayList<>();
    for (String form : LAYER_FORMS) {
      if (!absent(layer.get(form))) {
        forms.add(form);
      }
    }
    if (forms.size() != 1) {
      error(
          forms.isEmpty() ? path + ".agents" : path,
          forms.isEmpty()
              ? "missing (required: a layer has agents, self_moa or critic)"
              : "has "
                  + String.join(" and ", forms)
                  + "; give exactly one of agents, self_moa,"
                  + " critic");
      return null;
    }
    String form = forms.get(0);
    if (!form.equals("critic")) {
      for (String key : List.of("retry_layer", "max_retries")) {
        if (!absent(layer.get(key))) {
          error(path + "." + key, show(layer.get(key)) + " is only allowed in a critic layer");
        }
      }
    }
    int before = read.errorCount();
    LayerConfig parsed =
        switch (form) {
          case "agents" -> {
            List<AgentConfig> agents = parseAgents(layer.get("agents"), path + ".agents");
            yield agents == null ? null : new LayerConfig(agents);
          }
          case "self_moa" -> parseSelfMoa(layer.get("self_moa"), path + ".self_moa");
          default -> parseCritic(layer, path, index);
        };
    return read.errorCount() == before ? parsed : null;
  }

  /** {@code self_moa: {name, model, ..., samples: k}}: k agents {@code <name>-1..k}. */
  private LayerConfig parseSelfMoa(JsonNode node, String path) {
    if (!node.isObject()) {
      error(path, show(node) + " is not a mapping (name, model, ..., samples)");
      return null;
    }
    checkKeys(node, path, SELF_MOA_KEYS);
    String name = agentName(node, path, "sample");
    Long samples = read.integer(node, "samples", path);
    if (samples == null) {
      if (absent(node.get("samples"))) {
        error(path + ".samples", "missing (required: how many times the model is sampled)");
      }
    } else if (samples < 1 || samples > MAX_SAMPLES) {
      error(path + ".samples", show(node.get("samples")) + " is outside 1.." + MAX_SAMPLES);
      samples = null;
    }
    Call call = parseCall(node, path);
    if (call == null || name == null || samples == null) {
      return null;
    }
    List<AgentConfig> agents = new ArrayList<>();
    for (int k = 1; k <= samples; k++) {
      agents.add(call.agent(name + "-" + k));
    }
    return new LayerConfig(agents, LayerConfig.Kind.SELF_MOA, 0, 0);
  }

  /** {@code critic: {name, model, ...}, retry_layer: n, max_retries: m}. */
  private LayerConfig parseCritic(JsonNode layer, String path, int index) {
    JsonNode node = layer.get("critic");
    String criticPath = path + ".critic";
    if (index == 0) {
      error(criticPath, "a critic cannot be the first layer: it judges the layer before it");
    }
    if (!node.isObject()) {
      error(criticPath, show(node) + " is not a mapping (name, model, ...)");
      return null;
    }
    checkKeys(node, criticPath, AGENT_KEYS);
    String name = agentName(node, criticPath, "critic");
    Call call = parseCall(node, criticPath);
    int retryLayer = Math.max(1, index); // the layer just before, 1-based
    Long rl = read.integer(layer, "retry_layer", path);
    if (rl != null) {
      if (index > 0 && (rl < 1 || rl > index)) {
        error(
            path + ".retry_layer",
            show(layer.get("retry_layer"))
                + " is not a layer before this critic (1.."
                + index
                + ", 1-based)");
      } else {
        retryLayer = rl.intValue();
      }
    }
    int maxRetries = DEFAULT_MAX_RETRIES;
    Long mr = read.integer(layer, "max_retries", path);
    if (mr != null) {
      if (mr < 0 || mr > MAX_RETRIES) {
        error(
            path + ".max_retries",
            show(layer.get("max_retries")) + " is outside 0.." + MAX_RETRIES);
      } else {
        maxRetries = mr.intValue();
      }
    }
    if (call == null || name == null) {
      return null;
    }
    return new LayerConfig(
        List.of(call.agent(name)), LayerConfig.Kind.CRITIC, retryLayer, maxRetries);
  }

  /** An optional agent name with a default; null (and an error) when bad. */
  private String agentName(JsonNode node, String path, String fallback) {
    String name = read.string(node, "name", path);
    if (name == null) {
      return absent(node.get("name")) ? fallback : null;
    }
    if (!NAME.matcher(name).matches()) {
      error(path + ".name", show(node.get("name")) + " is not a valid name: " + NAME_RULE);
      return null;
    }
    return name;
  }

  private List<AgentConfig> parseAgents(JsonNode node, String path) {
    if (!node.isArray()) {
      error(path, show(node) + " is not a list of agents");
      return null;
    }
    if (node.isEmpty()) {
      error(path, "empty list: at least one agent is required");
      return null;
    }
    int before = read.errorCount();
    List<AgentConfig> agents = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < node.size(); i++) {
      String agentPath = path + "[" + i + "]";
      JsonNode agent = node.get(i);
      if (!agent.isObject()) {
        error(agentPath, show(agent) + " is not a mapping (name, model, ...)");
        continue;
      }
      checkKeys(agent, agentPath, AGENT_KEYS);
      String name = read.string(agent, "name", agentPath);
      if (name == null) {
        if (absent(agent.get("name"))) {
          error(agentPath + ".name", "missing (required)");
        }
      } else if (!NAME.matcher(name).matches()) {
        error(agentPath + ".name", show(agent.get("name")) + " is not a valid name: " + NAME_RULE);
      } else {
        Integer first = seen.putIfAbsent(name, i);
        if (first != null) {
          error(
              agentPath + ".name",
              "duplicate agent name " + quote(name) + " (also " + path + "[" + first + "])");
        }
      }
      Call call = parseCall(agent, agentPath);
      if (call != null && name != null) {
        agents.add(call.agent(name));
      }
    }
    return read.errorCount() == before ? agents : null;
  }

  private AggregatorConfig parseAggregator(JsonNode node, List<LayerConfig> layers) {
    if (absent(node)) {
      error("aggregator", "missing (required)");
      return null;
    }
    if (!node.isObject()) {
      error("aggregator", show(node) + " is not a mapping (model, provider, ...)");
      return null;
    }
    checkKeys(node, "aggregator", AGGREGATOR_KEYS);
    AggregatorConfig.Mode mode = AggregatorConfig.Mode.SYNTHESIZE;
    String m = read.string(node, "mode", "aggregator");
    if (m != null) {
      try {
        mode = AggregatorConfig.Mode.valueOf(m.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        error("aggregator.mode", quote(m) + " is not a mode (known: synthesize, vote, best_of_n)");
        return null;
      }
    }
    String votePattern = read.string(node, "vote_pattern", "aggregator");
    if (votePattern != null) {
      if (mode != AggregatorConfig.Mode.VOTE) {
        error("aggregator.vote_pattern", quote(votePattern) + " is only allowed with mode: vote");
      } else {
        try {
          Pattern.compile(votePattern);
        } catch (java.util.regex.PatternSyntaxException e) {
          error(
              "aggregator.vote_pattern",
              quote(votePattern) + " is not a regular expression: " + e.getDescription());
        }
      }
    }
    if (mode == AggregatorConfig.Mode.VOTE) {
      // No model call: the provider only names where the candidates came from.
      for (String key : List.of("model", "temperature", "max_tokens", "prompt")) {
        if (!absent(node.get(key))) {
          error(
              "aggregator." + key, show(node.get(key)) + " is not used with mode: vote (no call)");
        }
      }
      String provider = read.string(node, "provider", "aggregator");
      if (provider == null) {
        provider =
            layers != null && !layers.isEmpty()
                ? layers.get(layers.size() - 1).agents().get(0).provider()
                : defaultProvider;
      } else if (!providers.containsKey(provider)) {
        error("aggregator.provider", unknownProvider(provider));
      }
      return new AggregatorConfig(VOTE_MODEL, provider, 0.0, 1, DEFAULT_PROMPT, mode, votePattern);
    }
    Call call = parseCall(node, "aggregator");
    if (call == null) {
      return null;
    }
    String prompt =
        mode == AggregatorConfig.Mode.BEST_OF_N && absent(node.get("prompt"))
            ? BEST_OF_N_PROMPT
            : call.prompt;
    return new AggregatorConfig(
        call.model, call.provider, call.temperature, call.maxTokens, prompt, mode, votePattern);
  }

  private record Call(
      String model, String provider, double temperature, int maxTokens, String prompt) {

    /** An agent named {@code name} that makes this call. */
    AgentConfig agent(String name) {
      return new AgentConfig(name, model, provider, temperature, maxTokens, prompt);
    }
  }

  /** The fields agents and the aggregator share. Null when any is bad. */
  private Call parseCall(JsonNode node, String path) {
    int before = read.errorCount();
    String model = read.string(node, "model", path);
    if (model == null) {
      if (absent(node.get("model"))) {
        error(path + ".model", "missing (required)");
      }
    } else if (model.isBlank()) {
      error(path + ".model", "is empty");
    }

    // An agent without a provider uses default_provider; when that is unknown, it was reported
    // once.
    String provider = read.string(node, "provider", path);
    if (provider == null) {
      provider = defaultProvider;
    } else if (!providers.containsKey(provider)) {
      error(path + ".provider", unknownProvider(provider));
    }

    double temperature = DEFAULT_TEMPERATURE;
    Double t = read.number(node, "temperature", path);
    if (t != null) {
      if (!(t >= 0 && t <= 2)) {
        error(path + ".temperature", show(node.get("temperature")) + " is outside 0..2");
      }
      temperature = t == 0 ? 0.0 : t;
    }

    int maxTokens = DEFAULT_MAX_TOKENS;
    Long mt = read.integer(node, "max_tokens", path);
    if (mt != null) {
      if (mt < 1 || mt > MAX_TOKENS_LIMIT) {
        error(
            path + ".max_tokens",
            show(node.get("max_tokens")) + " is outside 1.." + MAX_TOKENS_LIMIT);
      } else {
        maxTokens = mt.intValue();
      }
    }

    String prompt = read.string(node, "prompt", path);
    if (prompt == null) {
      prompt = DEFAULT_PROMPT;
    } else {
      int placeholders = PromptAssembler.placeholderCount(prompt);
      if (placeholders > 1) {
        error(
            path + ".prompt",
            "has "
                + placeholders
                + " "
                + PromptAssembler.PLACEHOLDER
                + " placeholders; at most one is allowed");
      }
    }
    return read.errorCount() == before
        ? new Call(model, provider, temperature, maxTokens, prompt)
        : null;
  }

  // ---------------------------------------------------------------- prices

  private Map<String, ModelPrice> parsePrices(JsonNode node) {
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    if (absent(node)) {
      return prices;
    }
    if (!node.isObject()) {
      error("prices", show(node) + " is not a mapping of model names to {input, output}");
      return prices;
    }
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String path = "prices." + entry.getKey();
      JsonNode value = entry.getValue();
      if (value == null || !value.isObject()) {
        error(path, show(value) + " is not a mapping {input, output}");
        continue;
      }
      checkKeys(value, path, PRICE_KEYS);
      Double input = price(value, "input", path);
      Double output = price(value, "output", path);
      if (input != null && output != null) {
        prices.put(entry.getKey(), new ModelPrice(input, output));
      }
    }
    return prices;
  }

  private Double price(JsonNode node, String key, String path) {
    Double value = read.number(node, key, path);
    if (value == null) {
      if (absent(node.get(key))) {
        error(path + "." + key, "missing (required, USD per million tokens)");
      }
      return null;
    }
    if (value < 0) {
      error(path + "." + key, show(node.get(key)) + " is negative");
      return null;
    }
    return value == 0 ? 0.0 : value;
  }

  // ---------------------------------------------------------------- field names

  private void checkKeys(JsonNode obj, String path, List<String> known) {
    for (String key : obj.propertyNames()) {
      if (!known.contains(key)) {
        error(join(path, key), unknownField(key, known));
      }
    }
  }

  static String unknownField(String key, List<String> known) {
    if (key.equalsIgnoreCase("api_key")
        || key.equalsIgnoreCase("apikey")
        || key.equalsIgnoreCase("key")) {
      if (known.contains("api_key_env")) {
        return "unknown field (did you mean api_key_env? it takes the name of an environment"
            + " variable, never the key itself)";
      }
    }
    String suggestion = closest(key, known);
    if (suggestion != null) {
      return "unknown field (did you mean " + suggestion + "?)";
    }
    return "unknown field (known fields: " + String.join(", ", known) + ")";
  }

  /** The known key a typo most likely meant, or null when none is close. */
  static String closest(String key, List<String> known) {
    String k = normalize(key);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      String c = normalize(candidate);
      int distance = levenshtein(k, c);
      if (k.length() >= 3 && (c.startsWith(k) || k.startsWith(c))) {
        distance = Math.min(distance, 1);
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = candidate;
      }
    }
    int allowed = Math.max(2, k.length() / 3);
    return bestDistance <= allowed ? best : null;
  }

  private static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  private static int levenshtein(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
