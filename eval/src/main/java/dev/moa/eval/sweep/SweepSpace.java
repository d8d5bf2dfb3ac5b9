package dev.moa.eval.sweep;

import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * A parsed space file: which base config the sweep varies, how configurations are chosen, and the
 * values of each dimension. See {@link SpaceParser} for the format.
 *
 * @param name the sweep's name
 * @param base the base config's path as written (relative to the space file), or null for the
 *     shipped default
 * @param strategy grid (every combination) or random ({@code count} combinations drawn with {@code
 *     seed})
 * @param count how many configurations a random sweep draws (0 for grid)
 * @param seed the random sweep's seed
 * @param dimensions the varied dimensions, in file order
 */
public record SweepSpace(
    String name, String base, Strategy strategy, int count, long seed, List<Dimension> dimensions) {

  public enum Strategy {
    GRID,
    RANDOM
  }

  /** One dimension's values; a value's label is its name in tables ("0.7", "terse"). */
  public record Dimension(String name, List<Choice> choices) {
    public Dimension {
      Objects.requireNonNull(name, "name");
      choices = List.copyOf(choices);
    }
  }

  /** One value of a dimension. */
  public record Choice(String label, JsonNode value) {}

  public SweepSpace {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(strategy, "strategy");
    dimensions = List.copyOf(dimensions);
  }

  /** The number of combinations of all dimensions (the grid's size). */
  public long gridSize() {
    long n = 1;
    for (Dimension d : dimensions) {
      n = Math.multiplyExact(n, d.choices().size());
    }
    return n;
  }
}
