package dev.moa.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A read dataset: its good samples and its bad lines, both in file order.
 *
 * @param path the file it was read from
 * @param samples the usable lines
 * @param badLines the lines that cannot be used, each with its reason
 */
public record Dataset(Path path, List<Sample> samples, List<BadLine> badLines) {

  public Dataset {
    Objects.requireNonNull(path, "path");
    samples = List.copyOf(samples);
    badLines = List.copyOf(badLines);
  }

  /** True when no line is bad. */
  public boolean clean() {
    return badLines.isEmpty();
  }
}
