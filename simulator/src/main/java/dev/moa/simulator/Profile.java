package dev.moa.simulator;

import java.util.List;
import java.util.Locale;

/**
 * Latency profile of a simulated model: time to first token and decode speed (tokens/second).
 * {@code tokensPerSecond} may be {@link Double#POSITIVE_INFINITY} (no decode time at all).
 */
public record Profile(String name, double ttftSeconds, double tokensPerSecond) {

  public static final Profile CEREBRAS = new Profile("cerebras", 0.17, 2000);
  public static final Profile GPU = new Profile("gpu", 0.5, 80);
  public static final Profile INSTANT = new Profile("instant", 0, Double.POSITIVE_INFINITY);

  private static final List<Profile> BUILT_INS = List.of(CEREBRAS, GPU, INSTANT);

  public Profile {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: '" + name + "' must not be blank");
    }
    if (!(ttftSeconds >= 0) || Double.isInfinite(ttftSeconds)) {
      throw new IllegalArgumentException(
          "ttftSeconds: " + ttftSeconds + " must be a finite number >= 0");
    }
    if (!(tokensPerSecond > 0)) {
      throw new IllegalArgumentException("tokensPerSecond: " + tokensPerSecond + " must be > 0");
    }
  }

  /**
   * A built-in profile by name (case-insensitive): {@code cerebras}, {@code gpu}, {@code instant}.
   */
  public static Profile named(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Profile p : BUILT_INS) {
      if (p.name.equals(key)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "Unknown profile '" + name + "'; valid profiles: " + String.join(", ", builtInNames()));
  }

  public static List<String> builtInNames() {
    return BUILT_INS.stream().map(Profile::name).toList();
  }
}
