package dev.moa.protocol.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated Mixture-of-Agents configuration, as {@link ConfigLoader} returns it.
 *
 * @param name the config's name ({@code [A-Za-z0-9_.-]{1,64}})
 * @param layers one entry per layer, always expanded (the file's count form repeats its agents)
 * @param aggregator the model that writes the final answer
 * @param referencePrompt the text placed before the numbered references of the previous layer
 * @param providers every provider by name: the built-ins plus the file's own (file entries override
 *     built-ins of the same name)
 * @param minSuccesses how many agents of a layer must succeed for the request to go on
 * @param layerTimeout how long a layer may take; {@link Duration#ZERO} means no deadline
 * @param prices USD per million tokens by model name (models without an entry have no known price)
 */
public record MoaConfig(
    String name,
    List<LayerConfig> layers,
    AggregatorConfig aggregator,
    String referencePrompt,
    Map<String, ProviderConfig> providers,
    int minSuccesses,
    Duration layerTimeout,
    Map<String, ModelPrice> prices) {

  public MoaConfig {
    Objects.requireNonNull(name, "name");
    layers = List.copyOf(layers);
    Objects.requireNonNull(aggregator, "aggregator");
    Objects.requireNonNull(referencePrompt, "referencePrompt");
    providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
    Objects.requireNonNull(layerTimeout, "layerTimeout");
    prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
  }
}
