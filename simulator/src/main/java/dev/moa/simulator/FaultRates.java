package dev.moa.simulator;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Per-request probabilities of injected faults, each in 0..1 and summing to at most 1. Kinds:
 * {@code 5xx} (HTTP 500/503), {@code 429} (rate limited), {@code stall} (stream stops sending),
 * {@code truncate} (connection closed mid-stream), {@code malformed} (one broken SSE data line).
 */
public record FaultRates(
    double http5xx, double http429, double stall, double truncate, double malformed) {

  public static final String KIND_5XX = "5xx";
  public static final String KIND_429 = "429";
  public static final String KIND_STALL = "stall";
  public static final String KIND_TRUNCATE = "truncate";
  public static final String KIND_MALFORMED = "malformed";

  /** All fault kinds, in the order their probability ranges are laid out. */
  public static final List<String> KINDS =
      List.of(KIND_5XX, KIND_429, KIND_STALL, KIND_TRUNCATE, KIND_MALFORMED);

  private static final FaultRates NONE = new FaultRates(0, 0, 0, 0, 0);

  public FaultRates {
    check("http5xx", http5xx);
    check("http429", http429);
    check("stall", stall);
    check("truncate", truncate);
    check("malformed", malformed);
    double sum = http5xx + http429 + stall + truncate + malformed;
    if (sum > 1 + 1e-9) {
      throw new IllegalArgumentException("fault rates: sum " + sum + " must be <= 1");
    }
  }

  private static void check(String field, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(field + ": " + value + " must be in 0..1");
    }
  }

  public static FaultRates none() {
    return NONE;
  }

  /**
   * Parses {@code 5xx=0.1,429=0.05,stall=0.02,truncate=0.01,malformed=0.01} (any subset, any order;
   * blank or null means none).
   */
  public static FaultRates parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    double[] rates = new double[KINDS.size()];
    Set<String> seen = new HashSet<>();
    for (String raw : spec.split(",", -1)) {
      String item = raw.trim();
      int eq = item.indexOf('=');
      if (eq < 0) {
        throw bad("Bad fault item '" + item + "': expected kind=rate");
      }
      String kind = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String number = item.substring(eq + 1).trim();
      int index = KINDS.indexOf(kind);
      if (index < 0) {
        throw bad("Unknown fault kind '" + item.substring(0, eq).trim() + "' in '" + item + "'");
      }
      if (!seen.add(kind)) {
        throw bad("Duplicate fault kind '" + kind + "' in '" + item + "'");
      }
      double rate;
      try {
        rate = Double.parseDouble(number);
      } catch (NumberFormatException e) {
        throw bad("Bad fault rate '" + number + "' in '" + item + "': expected a number in 0..1");
      }
      if (!(rate >= 0 && rate <= 1)) {
        throw bad("Bad fault rate '" + number + "' in '" + item + "': expected a number in 0..1");
      }
      rates[index] = rate;
    }
    return new FaultRates(rates[0], rates[1], rates[2], rates[3], rates[4]);
  }

  private static IllegalArgumentException bad(String message) {
    return new IllegalArgumentException(message + "; valid kinds: " + String.join(", ", KINDS));
  }

  /** Probability of the given kind (one of {@link #KINDS}). */
  public double rate(String kind) {
    return switch (kind) {
      case KIND_5XX -> http5xx;
      case KIND_429 -> http429;
      case KIND_STALL -> stall;
      case KIND_TRUNCATE -> truncate;
      case KIND_MALFORMED -> malformed;
      default -> throw new IllegalArgumentException("Unknown fault kind '" + kind + "'");
    };
  }

  /** True when no fault can ever be injected. */
  public boolean isNone() {
    return http5xx + http429 + stall + truncate + malformed == 0;
  }

  /** The spec form accepted by {@link #parse}, listing only non-zero rates. */
  public String toSpec() {
    StringBuilder sb = new StringBuilder();
    for (String kind : KINDS) {
      double r = rate(kind);
      if (r > 0) {
        sb.append(sb.isEmpty() ? "" : ",").append(kind).append('=').append(r);
      }
    }
    return sb.toString();
  }
}
