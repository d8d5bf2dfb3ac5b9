package dev.moa.protocol.config;

/**
 * Where the calls for one provider actually go, after looking at which keys the environment has.
 *
 * @param name the provider's name in the config (kept when the simulator stands in for it)
 * @param baseUrl the real base URL, or the simulator's when {@code simulated}
 * @param apiKeyEnv the environment variable holding the key (its name only, never the key); null
 *     when no key is needed, in particular when {@code simulated}
 * @param simulated true when the built-in simulator answers: outputs are synthetic
 */
public record ResolvedProvider(String name, String baseUrl, String apiKeyEnv, boolean simulated) {}
