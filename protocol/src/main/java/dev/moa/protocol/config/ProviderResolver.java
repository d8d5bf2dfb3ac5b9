package dev.moa.protocol.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides, for every provider a config uses, whether calls go to the real endpoint or to the
 * built-in simulator. Looks only at whether a key's environment variable is set: key values are
 * never kept, returned or shown.
 */
public final class ProviderResolver {

  private ProviderResolver() {}

  /**
   * Resolves the providers used by the config's agents and aggregator (unused ones are left out).
   *
   * <ul>
   *   <li>base URL {@value ProviderConfig#SIMULATOR_BASE_URL} → the simulator;
   *   <li>no {@code api_key_env} → the real endpoint, without a key;
   *   <li>key variable set (non-blank) → the real endpoint;
   *   <li>key variable unset and {@code simulate_without_key} → the simulator;
   *   <li>key variable unset otherwise → an error naming the variable and its users.
   * </ul>
   *
   * @param env looks up an environment variable (e.g. {@code System::getenv}); null or blank means
   *     unset
   * @param simulatorBaseUrl where the simulator listens, or null when none is available
   * @return resolved providers by name, in order of first use (layers, then aggregator)
   * @throws ConfigException listing every provider that cannot be resolved; its source is the
   *     config's name
   */
  public static Map<String, ResolvedProvider> resolve(
      MoaConfig config, Function<String, String> env, String simulatorBaseUrl)
      throws ConfigException {
    Map<String, List<String>> users = new LinkedHashMap<>();
    for (int i = 0; i < config.layers().size(); i++) {
      List<AgentConfig> agents = config.layers().get(i).agents();
      for (int j = 0; j < agents.size(); j++) {
        users
            .computeIfAbsent(agents.get(j).provider(), k -> new ArrayList<>())
            .add("layers[" + i + "].agents[" + j + "]");
      }
    }
    users.computeIfAbsent(config.aggregator().provider(), k -> new ArrayList<>()).add("aggregator");

    boolean haveSimulator = simulatorBaseUrl != null && !simulatorBaseUrl.isBlank();
    Map<String, ResolvedProvider> resolved = new LinkedHashMap<>();
    List<ConfigError> errors = new ArrayList<>();
    for (Map.Entry<String, List<String>> use : users.entrySet()) {
      String name = use.getKey();
      String usedBy = " (used by " + String.join(", ", use.getValue()) + ")";
      ProviderConfig provider = config.providers().get(name);
      if (provider == null) {
        errors.add(
            new ConfigError(
                "providers." + name,
                "unknown provider (known: "
                    + String.join(", ", config.providers().keySet())
                    + ")"
                    + usedBy));
        continue;
      }
      if (provider.isSimulator()) {
        if (haveSimulator) {
          resolved.put(name, new ResolvedProvider(name, simulatorBaseUrl, null, true));
        } else {
          errors.add(
              new ConfigError(
                  "providers." + name,
                  "is the built-in simulator, but no simulator is available" + usedBy));
        }
        continue;
      }
      String keyEnv = provider.apiKeyEnv();
      if (keyEnv == null || isSet(env.apply(keyEnv))) {
        resolved.put(name, new ResolvedProvider(name, provider.baseUrl(), keyEnv, false));
      } else if (provider.simulateWithoutKey() && haveSimulator) {
        resolved.put(name, new ResolvedProvider(name, simulatorBaseUrl, null, true));
      } else if (provider.simulateWithoutKey()) {
        errors.add(
            new ConfigError(
                "providers." + name + ".api_key_env",
                "environment variable "
                    + keyEnv
                    + " is not set, and no simulator is available to stand in"
                    + usedBy));
      } else {
        errors.add(
            new ConfigError(
                "providers." + name + ".api_key_env",
                "environment variable " + keyEnv + " is not set" + usedBy));
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(config.name(), errors);
    }
    return Collections.unmodifiableMap(resolved);
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }
}
