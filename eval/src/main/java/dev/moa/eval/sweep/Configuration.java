package dev.moa.eval.sweep;

import dev.moa.protocol.config.MoaConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One configuration of a sweep.
 *
 * @param id short id, {@code c01}, {@code c02}, ... (sample ids of the sweep are {@code id/sample})
 * @param choices dimension → the label of the value chosen, in the space file's order
 * @param config the validated MoA config
 * @param yaml the config as YAML ({@code ConfigWriter}), which reads back to {@code config}
 */
public record Configuration(String id, Map<String, String> choices, MoaConfig config, String yaml) {

  public Configuration {
    Objects.requireNonNull(id, "id");
    choices = Collections.unmodifiableMap(new LinkedHashMap<>(choices));
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(yaml, "yaml");
  }

  /** {@code layers=2 agents=3 temperature=0.7}. */
  public String label() {
    return label(choices);
  }

  /** The label of {@code choices}, before there is a configuration to ask. */
  static String label(Map<String, String> choices) {
    return choices.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }
}
