package dev.moa.protocol.config;

import java.util.List;

/** One layer: agents that answer independently and in parallel. */
public record LayerConfig(List<AgentConfig> agents) {

  public LayerConfig {
    agents = List.copyOf(agents);
  }
}
