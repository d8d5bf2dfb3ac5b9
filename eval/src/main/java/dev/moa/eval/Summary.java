package dev.moa.eval;

import dev.moa.protocol.config.ModelPrice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A run's numbers, computed from its result lines only (so a resumed or re-graded run summarises
 * the same way as a fresh one). Percentiles use the nearest-rank method: p(q) is the value at rank
 * ceil(q/100 * n) of the sorted values.
 */
public final class Summary {

  /**
   * Sample counts; {@code answered + notRun == total}.
   *
   * @param total the dataset's samples (the run's totalSamples)
   * @param answered samples with a result line (whatever its status)
   * @param graded results whose grade is GRADED
   * @param failed results whose answer FAILED or whose grade is ERROR
   * @param cancelled results whose answer was CANCELLED
   * @param skipped bad dataset lines that were skipped (not part of total)
   * @param notRun samples without a result line
   */
  public record Counts(
      int total, int answered, int graded, int failed, int cancelled, int skipped, int notRun) {}

  /**
   * One grader type's numbers.
   *
   * @param count results graded by this type, in any status
   * @param graded of which GRADED
   * @param errors of which ERROR
   * @param meanScore mean score/max_score of the GRADED ones (0..1); null when none
   * @param accuracy fraction of the GRADED ones with full marks; null when none
   * @param meanPoints mean score (points) of the GRADED ones; null when none
   * @param maxPoints the largest max_score among the GRADED ones; null when none
   */
  public record GraderStats(
      String type,
      int count,
      int graded,
      int errors,
      Double meanScore,
      Double accuracy,
      Double meanPoints,
      Double maxPoints) {}

  /**
   * One model's calls over all layers and aggregators.
   *
   * @param calls agent outputs with this model, cached ones included
   * @param cachedCalls of which served from the response cache
   * @param promptTokens prompt tokens of all its calls
   * @param completionTokens completion tokens of all its calls
   * @param costUsd the cost of its non-cached calls; null when the model has no price
   */
  public record ModelTokens(
      String model,
      int calls,
      int cachedCalls,
      long promptTokens,
      long completionTokens,
      Double costUsd) {}

  /** Latency percentiles in ms; all null when there is no value. */
  public record Percentiles(int count, Long p50, Long p95, Long p99, Long max) {}

  /** One proposer layer's latency (its slowest agent per sample). */
  public record LayerLatency(int layer, Percentiles latency) {}

  private final RunInfo run;
  private final Counts counts;
  private final Double meanScore;
  private final Double accuracy;
  private final Map<String, GraderStats> perGrader;
  private final Map<String, ModelTokens> tokensByModel;
  private final Double totalCostUsd;
  private final long promptTokens;
  private final long completionTokens;
  private final Percentiles endToEnd;
  private final List<LayerLatency> perLayer;
  private final Percentiles aggregatorLatency;
  private final Map<String, Integer> failuresByCause;
  private final int cacheHits;
  private final boolean simulated;

  private Summary(RunInfo run, List<ResultLine> results) {
    this.run = run;
    int answered = results.size();
    if (answered > run.totalSamples()) {
      throw new IllegalArgumentException(
          answered
              + " result lines for a run of "
              + run.totalSamples()
              + " samples: the results do not belong to this dataset");
    }
    int graded = 0;
    int failed = 0;
    int cancelled = 0;
    double fractionSum = 0;
    int perfect = 0;
    Map<String, GraderAcc> graders = new TreeMap<>();
    Map<String, ModelAcc> models = new TreeMap<>();
    List<Long> endToEndValues = new ArrayList<>();
    Map<Integer, List<Long>> layerValues = new TreeMap<>();
    List<Long> aggregatorValues = new ArrayList<>();
    Map<String, Integer> causes = new HashMap<>();
    int cached = 0;
    long prompt = 0;
    long completion = 0;
    boolean anySimulated = run.simulated();
    for (ResultLine r : results) {
      ResultLine.GradeInfo g = r.grade();
      if (g != null) {
        GraderAcc acc = graders.computeIfAbsent(g.grader(), k -> new GraderAcc());
        acc.count++;
        if (g.graded()) {
          graded++;
          fractionSum += g.fraction();
          perfect += g.perfect() ? 1 : 0;
          acc.graded++;
          acc.fractionSum += g.fraction();
          acc.perfect += g.perfect() ? 1 : 0;
          acc.pointsSum += g.score();
          acc.maxPoints = Math.max(acc.maxPoints, g.maxScore());
        } else if (g.error()) {
          acc.errors++;
        }
      }
      if (r.cancelled()) {
        cancelled++;
        causes.merge("cancelled", 1, Integer::sum);
      } else {
        endToEndValues.add(r.latencyMs());
        if (r.failed()) {
          failed++;
          String error =
              r.answerFailed() ? (r.errors().isEmpty() ? null : r.errors().get(0)) : g.reason();
          causes.merge(cause(error), 1, Integer::sum);
        }
      }
      for (ResultLine.Layer l : r.layers()) {
        layerValues.computeIfAbsent(l.layer(), k -> new ArrayList<>()).add(l.latencyMs());
      }
      if (r.aggregator() != null) {
        aggregatorValues.add(r.aggregator().latencyMs());
      }
      for (ResultLine.Agent a : r.allCalls()) {
        ModelAcc m = models.computeIfAbsent(a.model(), k -> new ModelAcc());
        m.calls++;
        m.prompt += a.promptTokens();
        m.completion += a.completionTokens();
        if (a.cached()) {
          m.cached++;
          cached++;
        } else {
          m.billedPrompt += a.promptTokens();
          m.billedCompletion += a.completionTokens();
        }
      }
      prompt += r.promptTokens();
      completion += r.completionTokens();
      anySimulated |= r.simulated();
    }
    this.counts =
        new Counts(
            run.totalSamples(),
            answered,
            graded,
            failed,
            cancelled,
            run.skippedLines().size(),
            run.totalSamples() - answered);
    this.meanScore = graded == 0 ? null : fractionSum / graded;
    this.accuracy = graded == 0 ? null : (double) perfect / graded;
    Map<String, GraderStats> pg = new LinkedHashMap<>();
    graders.forEach(
        (type, a) ->
            pg.put(
                type,
                new GraderStats(
                    type,
                    a.count,
                    a.graded,
                    a.errors,
                    a.graded == 0 ? null : a.fractionSum / a.graded,
                    a.graded == 0 ? null : (double) a.perfect / a.graded,
                    a.graded == 0 ? null : a.pointsSum / a.graded,
                    a.graded == 0 ? null : a.maxPoints)));
    this.perGrader = Collections.unmodifiableMap(pg);
    Map<String, ModelTokens> tm = new LinkedHashMap<>();
    double total = 0;
    boolean allPriced = true;
    for (Map.Entry<String, ModelAcc> e : models.entrySet()) {
      ModelAcc m = e.getValue();
      ModelPrice price = run.prices().get(e.getKey());
      Double cost = price == null ? null : price.cost(m.billedPrompt, m.billedCompletion);
      if (cost == null) {
        allPriced = false;
      } else {
        total += cost;
      }
      tm.put(
          e.getKey(), new ModelTokens(e.getKey(), m.calls, m.cached, m.prompt, m.completion, cost));
    }
    this.tokensByModel = Collections.unmodifiableMap(tm);
    this.totalCostUsd = allPriced ? total : null;
    this.promptTokens = prompt;
    this.completionTokens = completion;
    this.endToEnd = percentiles(endToEndValues);
    List<LayerLatency> layers = new ArrayList<>();
    layerValues.forEach(
        (layer, values) -> layers.add(new LayerLatency(layer, percentiles(values))));
    this.perLayer = List.copyOf(layers);
    this.aggregatorLatency = percentiles(aggregatorValues);
    Map<String, Integer> sortedCauses = new LinkedHashMap<>();
    causes.entrySet().stream()
        .sorted(
            Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sortedCauses.put(e.getKey(), e.getValue()));
    this.failuresByCause = Collections.unmodifiableMap(sortedCauses);
    this.cacheHits = cached;
    this.simulated = anySimulated;
  }

  private static final class GraderAcc {
    int count;
    int graded;
    int errors;
    int perfect;
    double fractionSum;
    double pointsSum;
    double maxPoints;
  }

  private static final class ModelAcc {
    int calls;
    int cached;
    long prompt;
    long completion;
    long billedPrompt;
    long billedCompletion;
  }

  public static Summary of(RunInfo run, List<ResultLine> results) {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(results, "results");
    return new Summary(run, results);
  }

  /**
   * The failure class of an error text: the part before the first ':' ({@code "timeout: no
   * result..."} gives {@code timeout}). An aggregator failure ({@code "aggregator MODEL: CLASS:
   * ..."}) gives the aggregator call's class; a layer without enough successful agents gives {@code
   * min_successes}; no text gives {@code unknown}.
   */
  public static String cause(String error) {
    if (error == null || error.isBlank()) {
      return "unknown";
    }
    String s = error.strip();
    int colon = s.indexOf(':');
    if (s.startsWith("aggregator ") && colon > 0 && colon + 1 < s.length()) {
      String rest = s.substring(colon + 1).strip();
      if (!rest.isEmpty()) {
        return cause(rest);
      }
    }
    if (s.matches("(?s)layer \\d+:.*min_successes.*")) {
      return "min_successes";
    }
    String head = (colon < 0 ? s : s.substring(0, colon)).strip();
    if (head.isEmpty()) {
      return "unknown";
    }
    return head.length() <= 60 ? head : head.substring(0, 60) + "...";
  }

  /** Nearest-rank percentiles of the values (need not be sorted). */
  static Percentiles percentiles(List<Long> values) {
    if (values.isEmpty()) {
      return new Percentiles(0, null, null, null, null);
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return new Percentiles(
        sorted.size(),
        rank(sorted, 50),
        rank(sorted, 95),
        rank(sorted, 99),
        sorted.get(sorted.size() - 1));
  }

  private static long rank(List<Long> sorted, int q) {
    int n = sorted.size();
    int index = (int) Math.ceil(q / 100.0 * n) - 1;
    return sorted.get(Math.max(0, Math.min(n - 1, index)));
  }

  public RunInfo run() {
    return run;
  }

  /** The run status: completed, cancelled or failed. */
  public String status() {
    return run.status();
  }

  public Counts counts() {
    return counts;
  }

  /** Mean of score/max_score over GRADED results (0..1); null when nothing was graded. */
  public Double meanScore() {
    return meanScore;
  }

  /** Fraction of GRADED results with full marks; null when nothing was graded. */
  public Double accuracy() {
    return accuracy;
  }

  public Map<String, GraderStats> perGrader() {
    return perGrader;
  }

  public Map<String, ModelTokens> tokensByModel() {
    return tokensByModel;
  }

  /** The total cost in USD; null when a model that was called has no price. */
  public Double totalCostUsd() {
    return totalCostUsd;
  }

  public long promptTokens() {
    return promptTokens;
  }

  public long completionTokens() {
    return completionTokens;
  }

  /** End-to-end latency of the results that were not cancelled. */
  public Percentiles endToEnd() {
    return endToEnd;
  }

  public List<LayerLatency> perLayer() {
    return perLayer;
  }

  public Percentiles aggregatorLatency() {
    return aggregatorLatency;
  }

  /** Failed and cancelled results by cause, most frequent first. */
  public Map<String, Integer> failuresByCause() {
    return failuresByCause;
  }

  /** Agent outputs (aggregators included) served from the response cache. */
  public int cacheHits() {
    return cacheHits;
  }

  /** The run, or any of its answers, was simulated. */
  public boolean simulated() {
    return simulated;
  }

  /** A one-paragraph, human-readable account of the run for a terminal. */
  public String oneParagraph() {
    Counts c = counts;
    StringBuilder b = new StringBuilder();
    b.append("Run ").append(run.runId()).append(' ').append(run.status()).append(": ");
    b.append(c.answered()).append(" of ").append(c.total()).append(" samples answered");
    b.append(" (").append(c.failed()).append(" failed, ");
    b.append(c.cancelled()).append(" cancelled, ");
    b.append(c.notRun()).append(" not run");
    if (c.skipped() > 0) {
      b.append(", ").append(c.skipped()).append(" bad lines skipped");
    }
    b.append("). ");
    if (meanScore == null) {
      b.append("Nothing graded. ");
    } else {
      b.append(c.graded()).append(" graded: mean score ").append(fmt(meanScore, 3));
      b.append(", accuracy ").append(fmt(accuracy * 100, 1)).append("%. ");
    }
    if (endToEnd.count() > 0) {
      b.append("Latency p50 ").append(group(endToEnd.p50())).append(" ms, p95 ");
      b.append(group(endToEnd.p95())).append(" ms, max ").append(group(endToEnd.max()));
      b.append(" ms. ");
    }
    b.append(group(promptTokens + completionTokens)).append(" tokens");
    b.append(totalCostUsd == null ? ", cost unknown" : ", cost $" + fmt(totalCostUsd, 4));
    if (cacheHits > 0) {
      b.append(", ").append(cacheHits).append(" cache hits");
    }
    b.append('.');
    if (simulated) {
      b.append(" SIMULATED: outputs are synthetic.");
    }
    return b.toString();
  }

  /** Pretty-printed JSON (summary.json). */
  public String toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ObjectNode r = root.putObject("run");
    r.put("run_id", run.runId());
    r.put("dataset", run.dataset());
    r.put("config_name", run.configName());
    r.put("config_hash", run.configHash());
    r.put("status", run.status());
    r.put("simulated", run.simulated());
    r.put("started_at", Instant.ofEpochMilli(run.startedAtMs()).toString());
    r.put("finished_at", Instant.ofEpochMilli(run.finishedAtMs()).toString());
    r.put("started_at_ms", run.startedAtMs());
    r.put("finished_at_ms", run.finishedAtMs());
    r.put("duration_ms", Math.max(0, run.finishedAtMs() - run.startedAtMs()));
    ObjectNode c = root.putObject("counts");
    c.put("total", counts.total());
    c.put("answered", counts.answered());
    c.put("graded", counts.graded());
    c.put("failed", counts.failed());
    c.put("cancelled", counts.cancelled());
    c.put("skipped", counts.skipped());
    c.put("not_run", counts.notRun());
    root.put("mean_score", meanScore);
    root.put("accuracy", accuracy);
    ObjectNode pg = root.putObject("per_grader");
    perGrader.forEach(
        (type, s) -> {
          ObjectNode n = pg.putObject(type);
          n.put("count", s.count());
          n.put("graded", s.graded());
          n.put("errors", s.errors());
          n.put("mean_score", s.meanScore());
          n.put("accuracy", s.accuracy());
          n.put("mean_points", s.meanPoints());
          n.put("max_points", s.maxPoints());
        });
    ObjectNode tm = root.putObject("tokens_by_model");
    tokensByModel.forEach(
        (model, t) -> {
          ObjectNode n = tm.putObject(model);
          n.put("calls", t.calls());
          n.put("cached_calls", t.cachedCalls());
          n.put("prompt_tokens", t.promptTokens());
          n.put("completion_tokens", t.completionTokens());
          n.put("cost_usd", t.costUsd());
        });
    ObjectNode tokens = root.putObject("tokens");
    tokens.put("prompt_tokens", promptTokens);
    tokens.put("completion_tokens", completionTokens);
    root.put("total_cost_usd", totalCostUsd);
    ObjectNode lat = root.putObject("latency_ms");
    writePercentiles(lat.putObject("end_to_end"), endToEnd, true);
    var layers = lat.putArray("per_layer");
    for (LayerLatency l : perLayer) {
      ObjectNode n = layers.addObject();
      n.put("layer", l.layer());
      writePercentiles(n, l.latency(), false);
    }
    writePercentiles(lat.putObject("aggregator"), aggregatorLatency, false);
    ObjectNode fc = root.putObject("failures_by_cause");
    failuresByCause.forEach(fc::put);
    root.put("cache_hits", cacheHits);
    root.put("simulated", simulated);
    var skipped = root.putArray("skipped_lines");
    for (BadLine b : run.skippedLines()) {
      ObjectNode n = skipped.addObject();
      n.put("line", b.line());
      n.put("id", b.id());
      n.put("reason", b.reason());
    }
    return EvalJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  private static void writePercentiles(ObjectNode n, Percentiles p, boolean withMax) {
    n.put("p50", p.p50());
    n.put("p95", p.p95());
    n.put("p99", p.p99());
    if (withMax) {
      n.put("max", p.max());
    }
  }

  static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  static String group(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }
}
