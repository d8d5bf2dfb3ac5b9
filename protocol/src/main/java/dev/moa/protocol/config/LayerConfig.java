package dev.moa.protocol.config;

import java.util.List;
import java.util.Objects;

/**
 * One layer. {@link Kind#AGENTS}: agents that answer independently and in parallel. {@link
 * Kind#SELF_MOA}: one model sampled k times (the agents are its k samples, named {@code
 * <name>-1..k}). {@link Kind#CRITIC}: one critic agent that judges the previous layer's candidates
 * and may send the request back to layer {@code retryLayer}, at most {@code maxRetries} times.
 *
 * @param agents the calls of the layer (a critic layer has exactly one)
 * @param kind what the layer does
 * @param retryLayer CRITIC: the 1-based layer a rejection goes back to; 0 for other kinds
 * @param maxRetries CRITIC: how many rejections may send the request back; 0 for other kinds
 */
public record LayerConfig(List<AgentConfig> agents, Kind kind, int retryLayer, int maxRetries) {

  /** What a layer does. */
  public enum Kind {
    AGENTS,
    SELF_MOA,
    CRITIC
  }

  public LayerConfig {
    agents = List.copyOf(agents);
    Objects.requireNonNull(kind, "kind");
  }

  /** A plain layer of independent agents. */
  public LayerConfig(List<AgentConfig> agents) {
    this(agents, Kind.AGENTS, 0, 0);
  }

  /** The name of a self-MoA layer's sampled agent ({@code sampler} for {@code sampler-1..k}). */
  public String samplerName() {
    String first = agents.get(0).name();
    return kind == Kind.SELF_MOA && first.endsWith("-1")
        ? first.substring(0, first.length() - 2)
        : first;
  }
}
