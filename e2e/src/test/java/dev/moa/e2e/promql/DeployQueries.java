package dev.moa.e2e.promql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every PromQL expression shipped in deploy/: the dashboards' panel targets and template-variable
 * queries (deploy/grafana/*.json) and the rules' {@code expr} (deploy/prometheus/*.yml files that
 * have {@code groups}).
 */
public final class DeployQueries {

  /** Concrete values for Grafana's variables, so that a query can run against Prometheus. */
  public static final Map<String, String> VARIABLES =
      Map.of(
          "__rate_interval", "1m",
          "__interval", "1m",
          "__range", "10m",
          "__range_s", "600",
          "__interval_ms", "60000",
          "model", ".*",
          "agent", ".*",
          "run", ".*",
          "grader", ".*");

  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_]\\w*)(?::\\w+)?}|\\$([A-Za-z_]\\w*)");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((?:(.*),)?\\s*(\\w+)\\s*\\)\\s*$", Pattern.DOTALL);

  /** One query: where it comes from, as written, and as PromQL Prometheus can run. */
  public record Query(String where, String written, String promql) {}

  private DeployQueries() {}

  /** The repository root: the first directory upwards from here with deploy/ and pom.xml. */
  public static Path repoRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("deploy")) && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
  }

  public static List<Path> dashboards() {
    return list(repoRoot().resolve("deploy/grafana"), ".json");
  }

  /** deploy/prometheus/*.yml files that are Prometheus rule files (a top-level 'groups'). */
  public static List<Path> ruleFiles() {
    List<Path> out = new ArrayList<>();
    for (Path f : list(repoRoot().resolve("deploy/prometheus"), ".yml")) {
      JsonNode root = new YAMLMapper().readTree(read(f));
      if (root != null && root.has("groups")) {
        out.add(f);
      }
    }
    return out;
  }

  public static List<Query> all() {
    List<Query> out = new ArrayList<>();
    JsonMapper json = JsonMapper.builder().build();
    for (Path f : dashboards()) {
      JsonNode d = json.readTree(read(f));
      for (JsonNode v : d.path("templating").path("list")) {
        if (v.path("type").asString().equals("query")) {
          JsonNode q = v.path("query");
          String text = q.isObject() ? q.path("query").asString() : q.asString();
          out.add(query(f.getFileName() + " variable " + v.path("name").asString(), text));
        }
      }
      collectPanels(f.getFileName().toString(), d.path("panels"), out);
    }
    YAMLMapper yaml = new YAMLMapper();
    for (Path f : ruleFiles()) {
      for (JsonNode g : yaml.readTree(read(f)).path("groups")) {
        for (JsonNode r : g.path("rules")) {
          String name = r.has("alert") ? r.path("alert").asString() : r.path("record").asString();
          out.add(query(f.getFileName() + " rule " + name, r.path("expr").asString()));
        }
      }
    }
    return out;
  }

  private static void collectPanels(String file, JsonNode panels, List<Query> out) {
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        out.add(
            query(
                file + " panel '" + p.path("title").asString() + "' " + t.path("refId").asString(),
                t.path("expr").asString()));
      }
      collectPanels(file, p.path("panels"), out); // a collapsed row holds its panels
    }
  }

  /**
   * A Grafana query with its variables replaced; {@code label_values(m, l)} as {@code count by (l)
   * (m)}.
   */
  static Query query(String where, String written) {
    String promql = substitute(written);
    Matcher lv = LABEL_VALUES.matcher(promql);
    if (lv.matches()) {
      String selector = lv.group(1) == null ? "{" + lv.group(2) + "!=\"\"}" : lv.group(1).strip();
      promql = "count by (" + lv.group(2) + ") (" + selector + ")";
    }
    return new Query(where, written, promql);
  }

  static String substitute(String expr) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = VARIABLES.get(name);
      if (value == null) {
        throw new IllegalArgumentException("unknown template variable $" + name + " in: " + expr);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static List<Path> list(Path dir, String suffix) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
