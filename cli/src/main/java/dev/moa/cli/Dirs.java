package dev.moa.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Folders the commands create for a while (temporary stacks, a run's local broker). */
public final class Dirs {

  private Dirs() {}

  /** Deletes {@code dir} and everything in it, ignoring failures. */
  public static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception ignored) {
      // A temp folder left behind is harmless.
    }
  }
}
