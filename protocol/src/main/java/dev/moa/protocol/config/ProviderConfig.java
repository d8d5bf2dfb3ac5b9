package dev.moa.protocol.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An OpenAI-compatible endpoint. Only the <em>name</em> of the environment variable holding the API
 * key is configured, never the key.
 *
 * @param name the provider's name (its key in {@link MoaConfig#providers()})
 * @param baseUrl an http(s) URL, or {@value #SIMULATOR_BASE_URL} for the built-in simulator
 * @param apiKeyEnv the environment variable holding the key, or null when no key is needed
 * @param simulateWithoutKey when the key's variable is unset, let the simulator answer instead of
 *     failing
 */
public record ProviderConfig(
    String name, String baseUrl, String apiKeyEnv, boolean simulateWithoutKey) {

  /** The base URL that stands for the built-in simulator. */
  public static final String SIMULATOR_BASE_URL = "builtin:simulator";

  private static final Map<String, ProviderConfig> BUILT_INS = builtInsInOrder();

  public ProviderConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(baseUrl, "baseUrl");
  }

  /** True when calls to this provider go to the built-in simulator. */
  public boolean isSimulator() {
    return SIMULATOR_BASE_URL.equals(baseUrl);
  }

  /**
   * The providers every config has: {@code cerebras}, {@code openai}, {@code together} and {@code
   * simulator}, in that order (unmodifiable).
   */
  public static Map<String, ProviderConfig> builtIns() {
    return BUILT_INS;
  }

  private static Map<String, ProviderConfig> builtInsInOrder() {
    Map<String, ProviderConfig> map = new LinkedHashMap<>();
    map.put(
        "cerebras",
        new ProviderConfig("cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY", false));
    map.put(
        "openai",
        new ProviderConfig("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", false));
    map.put(
        "together",
        new ProviderConfig("together", "https://api.together.xyz/v1", "TOGETHER_API_KEY", false));
    map.put("simulator", new ProviderConfig("simulator", SIMULATOR_BASE_URL, null, false));
    return java.util.Collections.unmodifiableMap(map);
  }
}
