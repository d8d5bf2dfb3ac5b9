package dev.moa.eval.sweep;

import dev.moa.eval.BadLine;
import dev.moa.eval.ResultLine;
import dev.moa.eval.RunInfo;
import dev.moa.eval.Summary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A sweep's outcome per configuration — score, tokens, latency, cost — and its Pareto front,
 * computed from the sweep's {@code results.jsonl} alone (sample ids {@code CONFIG/SAMPLE}).
 *
 * <p>Score is the mean of score/max over the configuration's samples that ran, a failed sample
 * counting 0 (a configuration that fails often must not look good for grading only its successes);
 * tokens are all calls' tokens per sample; latency is the end-to-end p50.
 */
public final class SweepSummary {

  /**
   * What the sweep as a whole is.
   *
   * @param samplesPerConfiguration the dataset samples each configuration runs
   */
  public record Info(
      String name,
      String runId,
      String dataset,
      String strategy,
      Long seed,
      String status,
      long startedAtMs,
      long finishedAtMs,
      int samplesPerConfiguration,
      List<BadLine> skippedLines) {
    public Info {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(runId, "runId");
      skippedLines = skippedLines == null ? List.of() : List.copyOf(skippedLines);
    }
  }

  /** One configuration's numbers. */
  public record Row(
      String id,
      String label,
      Map<String, String> choices,
      String configName,
      int answered,
      int graded,
      int failed,
      Double score,
      Double accuracy,
      double tokensPerSample,
      Long latencyP50Ms,
      Long latencyP95Ms,
      Double costUsd,
      boolean simulated,
      boolean pareto) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Info info;
  private final List<Row> rows;
  private final List<String> front;
  private final Map<String, Summary> summaries;
  private final Map<String, List<ResultLine>> lines;

  private SweepSummary(
      Info info,
      List<Row> rows,
      List<String> front,
      Map<String, Summary> summaries,
      Map<String, List<ResultLine>> lines) {
    this.info = info;
    this.rows = List.copyOf(rows);
    this.front = List.copyOf(front);
    this.summaries = Collections.unmodifiableMap(summaries);
    this.lines = Collections.unmodifiableMap(lines);
  }

  /** The configuration id of a sweep sample id ({@code c03/q1} → {@code c03}), or null. */
  public static String configurationOf(String sampleId) {
    int slash = sampleId.indexOf('/');
    return slash < 0 ? null : sampleId.substring(0, slash);
  }

  public static SweepSummary of(Info info, List<Configuration> configs, List<ResultLine> all) {
    Map<String, List<ResultLine>> byConfig = new LinkedHashMap<>();
    configs.forEach(c -> byConfig.put(c.id(), new ArrayList<>()));
    for (ResultLine l : all) {
      List<ResultLine> list = byConfig.get(configurationOf(l.id()));
      if (list != null) {
        list.add(l);
      }
    }
    Map<String, Summary> summaries = new LinkedHashMap<>();
    List<Pareto.Point> points = new ArrayList<>();
    for (Configuration c : configs) {
      List<ResultLine> lines = byConfig.get(c.id());
      RunInfo run =
          new RunInfo(
              info.runId() + "/" + c.id(),
              info.dataset(),
              c.config().name(),
              "",
              false,
              info.status(),
              info.startedAtMs(),
              info.finishedAtMs(),
              Math.max(info.samplesPerConfiguration(), lines.size()),
              info.skippedLines(),
              c.config().prices());
      Summary s = Summary.of(run, lines);
      summaries.put(c.id(), s);
      points.add(
          new Pareto.Point(c.id(), score(lines), tokensPerSample(lines), s.endToEnd().p50()));
    }
    List<String> front = Pareto.front(points);
    Set<String> onFront = new HashSet<>(front);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      Configuration c = configs.get(i);
      Summary s = summaries.get(c.id());
      Pareto.Point p = points.get(i);
      rows.add(
          new Row(
              c.id(),
              c.label(),
              c.choices(),
              c.config().name(),
              s.counts().answered(),
              s.counts().graded(),
              s.counts().failed() + s.counts().cancelled(),
              p.score(),
              s.accuracy(),
              p.tokens(),
              p.latencyMs(),
              s.endToEnd().p95(),
              s.totalCostUsd(),
              s.simulated(),
              onFront.contains(c.id())));
    }
    return new SweepSummary(info, rows, front, summaries, byConfig);
  }

  /** Mean score fraction over the samples that ran (not cancelled); failures count 0. */
  static Double score(List<ResultLine> lines) {
    int n = 0;
    double sum = 0;
    for (ResultLine l : lines) {
      if (l.cancelled()) {
        continue;
      }
      n++;
      if (l.grade() != null && l.grade().graded() && !l.answerFailed()) {
        sum += l.grade().fraction();
      }
    }
    return n == 0 ? null : sum / n;
  }

  static double tokensPerSample(List<ResultLine> lines) {
    long n = lines.stream().filter(l -> !l.cancelled()).count();
    long tokens =
        lines.stream().filter(l -> !l.cancelled()).mapToLong(ResultLine::totalTokens).sum();
    return n == 0 ? 0 : (double) tokens / n;
  }

  public Info info() {
    return info;
  }

  public List<Row> rows() {
    return rows;
  }

  /** The ids of the configurations on the Pareto front, in configuration order. */
  public List<String> front() {
    return front;
  }

  /** The eval summary of one configuration's samples. */
  public Summary summary(String configurationId) {
    return summaries.get(configurationId);
  }

  /** One configuration's result lines. */
  public List<ResultLine> lines(String configurationId) {
    return lines.getOrDefault(configurationId, List.of());
  }

  /** A fixed-width table: one line per configuration, {@code *} marking the front. */
  public String table() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%-5s %-6s %8s %10s %9s  %s%n",
            "front", "config", "score", "tokens", "p50 ms", "choices"));
    for (Row r : rows) {
      out.append(
          String.format(
              "%-5s %-6s %8s %10.0f %9s  %s%n",
              r.pareto() ? "  *" : "",
              r.id(),
              r.score() == null ? "-" : String.format("%.3f", r.score()),
              r.tokensPerSample(),
              r.latencyP50Ms() == null ? "-" : r.latencyP50Ms().toString(),
              r.label()));
    }
    return out.toString();
  }

  /** {@code sweep.json}. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("sweep", info.name());
    root.put("run_id", info.runId());
    root.put("dataset", info.dataset());
    root.put("strategy", info.strategy());
    if (info.seed() != null) {
      root.put("seed", info.seed());
    }
    root.put("status", info.status());
    root.put("started_at_ms", info.startedAtMs());
    root.put("finished_at_ms", info.finishedAtMs());
    root.put("samples_per_configuration", info.samplesPerConfiguration());
    ObjectNode objectives = root.putObject("objectives");
    objectives.put("score", "max: mean score/max_score per sample, failures count 0");
    objectives.put("tokens_per_sample", "min: prompt + completion tokens of all calls");
    objectives.put("latency_p50_ms", "min: end-to-end latency, median");
    ArrayNode f = root.putArray("pareto_front");
    front.forEach(f::add);
    ArrayNode list = root.putArray("configurations");
    for (Row r : rows) {
      ObjectNode o = list.addObject();
      o.put("id", r.id());
      o.put("config_name", r.configName());
      ObjectNode ch = o.putObject("choices");
      r.choices().forEach(ch::put);
      o.put("pareto", r.pareto());
      o.put("answered", r.answered());
      o.put("graded", r.graded());
      o.put("failed", r.failed());
      o.put("score", r.score());
      o.put("accuracy", r.accuracy());
      o.put("tokens_per_sample", r.tokensPerSample());
      o.put("latency_p50_ms", r.latencyP50Ms());
      o.put("latency_p95_ms", r.latencyP95Ms());
      o.put("cost_usd", r.costUsd());
      o.put("simulated", r.simulated());
      o.put("config", r.id() + "/config.yaml");
      o.put("report", r.id() + "/report.html");
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
  }
}
