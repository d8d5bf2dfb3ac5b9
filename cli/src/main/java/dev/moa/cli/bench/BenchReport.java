package dev.moa.cli.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every benchmark reports: raw figures (numbers only) and targets. As JSON it is exactly one
 * object {@code {"benchmark", "figures": {...}, "targets": [{"name", "value", "limit", "met"}]}};
 * as a table, the same figures and targets plus a header and notes for people.
 */
public final class BenchReport {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** A target: {@code value <= limit} ({@link Kind#AT_MOST}) or {@code value >= limit}. */
  record Target(String name, double value, double limit, Kind kind) {
    enum Kind {
      AT_MOST,
      AT_LEAST
    }

    Target {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
    }

    static Target atMost(String name, double value, double limit) {
      return new Target(name, value, limit, Kind.AT_MOST);
    }

    static Target atLeast(String name, double value, double limit) {
      return new Target(name, value, limit, Kind.AT_LEAST);
    }

    /** NaN (nothing measured) never meets a target. */
    boolean met() {
      return kind == Kind.AT_MOST ? value <= limit : value >= limit;
    }

    String sign() {
      return kind == Kind.AT_MOST ? "<=" : ">=";
    }
  }

  private final String benchmark;
  private final String header;
  private final Map<String, Number> figures = new LinkedHashMap<>();
  private final List<Target> targets = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  BenchReport(String benchmark, String header) {
    this.benchmark = Objects.requireNonNull(benchmark, "benchmark");
    this.header = header;
  }

  String benchmark() {
    return benchmark;
  }

  /** Adds a figure; doubles are kept to 4 significant decimals. */
  BenchReport figure(String name, Number value) {
    figures.put(name, value instanceof Double d ? round(d) : value);
    return this;
  }

  BenchReport target(Target target) {
    targets.add(target);
    return this;
  }

  /** A line for people, shown under the table (not in the JSON). */
  BenchReport note(String line) {
    notes.add(line);
    return this;
  }

  Map<String, Number> figures() {
    return Map.copyOf(figures);
  }

  List<Target> targets() {
    return List.copyOf(targets);
  }

  public static double round(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    return Math.round(v * 10_000) / 10_000.0;
  }

  /** The one JSON object. */
  String toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("benchmark", benchmark);
    out.put("figures", figures);
    List<Map<String, Object>> ts = new ArrayList<>();
    for (Target t : targets) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("value", round(t.value()));
      m.put("limit", t.limit());
      m.put("met", t.met());
      ts.add(m);
    }
    out.put("targets", ts);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out);
  }

  /** The table: header, one figure a line, then the targets and notes. */
  void printTable(PrintStream out) {
    out.println("benchmark " + benchmark + (header == null ? "" : " (" + header + ")"));
    int width = figures.keySet().stream().mapToInt(String::length).max().orElse(10);
    figures.forEach((k, v) -> out.printf("  %-" + width + "s  %s%n", k, format(v)));
    for (Target t : targets) {
      out.printf(
          "  target: %s %s %s: %s %s%n",
          t.name(), t.sign(), format(t.limit()), format(t.value()), t.met() ? "met" : "MISSED");
    }
    notes.forEach(n -> out.println("  (" + n + ")"));
  }

  /** Prints the JSON object or the table. */
  void print(boolean json, PrintStream out) {
    if (json) {
      out.println(toJson());
    } else {
      printTable(out);
    }
  }

  static String format(Number v) {
    if (v instanceof Double d) {
      if (Double.isNaN(d)) {
        return "n/a";
      }
      return Math.abs(d) >= 100 ? String.format("%,.1f", d) : String.format("%.3f", d);
    }
    return String.format("%,d", v.longValue());
  }
}
