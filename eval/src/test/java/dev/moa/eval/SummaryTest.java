package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.moa.protocol.config.ModelPrice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SummaryTest {

  private static ResultLine.Agent agent(
      String name, String model, int p, int c, long latency, boolean cached, boolean ok) {
    return new ResultLine.Agent(
        name,
        model,
        ok ? "SUCCEEDED" : "FAILED",
        ok ? "text" : "",
        ok ? p : 0,
        ok ? c : 0,
        latency,
        latency / 2,
        ok ? null : "http_429: slow down",
        cached,
        null);
  }

  /**
   * One layer [A on m1 (100+50 tokens), B on m2 (200+80)] and an aggregator on m1 (300+100); A is
   * the layer's slowest agent.
   */
  private static ResultLine result(
      String id,
      String status,
      long latency,
      long layerLatency,
      long aggLatency,
      boolean aCached,
      boolean aggOk,
      ResultLine.GradeInfo grade,
      String error) {
    ResultLine.Agent a = agent("A", "m1", 100, 50, layerLatency, aCached, true);
    ResultLine.Agent b = agent("B", "m2", 200, 80, 100, false, true);
    ResultLine.Agent agg = agent("agg", "m1", 300, 100, aggLatency, false, aggOk);
    List<ResultLine.Agent> all = List.of(a, b, agg);
    long p = all.stream().mapToLong(ResultLine.Agent::promptTokens).sum();
    long c = all.stream().mapToLong(ResultLine.Agent::completionTokens).sum();
    List<String> errors = new ArrayList<>();
    if (error != null) {
      errors.add(error);
    }
    if (grade != null && grade.error()) {
      errors.add("grader " + grade.grader() + ": " + grade.reason());
    }
    return new ResultLine(
        id,
        1,
        "req-" + id,
        status,
        "answer",
        grade,
        p,
        c,
        latency,
        List.of(new ResultLine.Layer(0, layerLatency, List.of(a, b), 0, null)),
        agg,
        errors,
        false,
        aCached ? 1 : 0);
  }

  private static ResultLine.GradeInfo graded(String grader, double score, double max) {
    return new ResultLine.GradeInfo(grader, "GRADED", score, max, "{}", null);
  }

  /** Six results of a run of eight samples (two not run) with one skipped bad line. */
  private static List<ResultLine> results() {
    return List.of(
        result("r1", "SUCCEEDED", 1000, 600, 300, false, true, graded("exact", 1, 1), null),
        result("r2", "SUCCEEDED", 2000, 900, 500, true, true, graded("exact", 0, 1), null),
        result("r3", "SUCCEEDED", 3000, 1200, 700, false, true, graded("code", 7, 10), null),
        result(
            "r4",
            "FAILED",
            4000,
            300,
            100,
            false,
            false,
            new ResultLine.GradeInfo("exact", "NOT_GRADED", 0, 0, "{}", "answer is FAILED"),
            "aggregator m1: http_429: slow down"),
        result(
            "r5",
            "SUCCEEDED",
            5000,
            500,
            200,
            false,
            true,
            new ResultLine.GradeInfo("code", "ERROR", 0, 10, "{}", "sandbox: bwrap missing"),
            null),
        new ResultLine(
            "r6",
            6,
            "req-r6",
            "CANCELLED",
            "",
            null,
            0,
            0,
            0,
            List.of(),
            null,
            List.of("cancelled: run cancelled"),
            false,
            0));
  }

  private static RunInfo run(Map<String, ModelPrice> prices) {
    return Fixtures.run("cancelled", 8, List.of(new BadLine(4, null, "invalid JSON: x")), prices);
  }

  @Test
  void countsAreHandComputedAndAddUp() {
    Summary s = Summary.of(run(Map.of()), results());
    Summary.Counts c = s.counts();
    assertThat(c).isEqualTo(new Summary.Counts(8, 6, 3, 2, 1, 1, 2));
    assertThat(c.answered() + c.notRun()).isEqualTo(c.total());
    assertThat(s.status()).isEqualTo("cancelled");
  }

  @Test
  void meanScoreAndAccuracyCoverGradedResultsOnly() {
    Summary s = Summary.of(run(Map.of()), results());
    assertThat(s.meanScore()).isCloseTo((1 + 0 + 0.7) / 3, within(1e-12));
    assertThat(s.accuracy()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(s.perGrader().keySet()).containsExactly("code", "exact");
    assertThat(s.perGrader().get("exact"))
        .isEqualTo(new Summary.GraderStats("exact", 3, 2, 0, 0.5, 0.5, 0.5, 1.0));
    Summary.GraderStats code = s.perGrader().get("code");
    assertThat(code.count()).isEqualTo(2);
    assertThat(code.graded()).isEqualTo(1);
    assertThat(code.errors()).isEqualTo(1);
    assertThat(code.meanScore()).isCloseTo(0.7, within(1e-12));
    assertThat(code.accuracy()).isEqualTo(0.0);
    assertThat(code.meanPoints()).isEqualTo(7.0);
    assertThat(code.maxPoints()).isEqualTo(10.0);
  }

  @Test
  void tokensAndCostByModelBillOnlyNonCachedCalls() {
    Summary noM2Price = Summary.of(run(Map.of("m1", new ModelPrice(1.0, 2.0))), results());
    Summary.ModelTokens m1 = noM2Price.tokensByModel().get("m1");
    // m1: A in r1..r5 (100+50, r2's cached) and the aggregator in r1..r5 (300+100, r4's failed).
    assertThat(m1.calls()).isEqualTo(10);
    assertThat(m1.cachedCalls()).isEqualTo(1);
    assertThat(m1.promptTokens()).isEqualTo(1700);
    assertThat(m1.completionTokens()).isEqualTo(650);
    assertThat(m1.costUsd()).isCloseTo((1600 * 1.0 + 600 * 2.0) / 1e6, within(1e-15));
    Summary.ModelTokens m2 = noM2Price.tokensByModel().get("m2");
    assertThat(m2).isEqualTo(new Summary.ModelTokens("m2", 5, 0, 1000, 400, null));
    assertThat(noM2Price.totalCostUsd()).as("a called model has no price").isNull();

    Summary priced =
        Summary.of(
            run(Map.of("m1", new ModelPrice(1.0, 2.0), "m2", new ModelPrice(0.5, 1.0))), results());
    assertThat(priced.tokensByModel().get("m2").costUsd()).isCloseTo(0.0009, within(1e-15));
    assertThat(priced.totalCostUsd()).isCloseTo(0.0028 + 0.0009, within(1e-15));
    assertThat(priced.promptTokens()).isEqualTo(2700);
    assertThat(priced.completionTokens()).isEqualTo(1050);
    assertThat(priced.cacheHits()).isEqualTo(1);
  }

  @Test
  void latencyPercentilesAreNearestRank() {
    Summary s = Summary.of(run(Map.of()), results());
    assertThat(s.endToEnd())
        .as("the cancelled result is left out")
        .isEqualTo(new Summary.Percentiles(5, 3000L, 5000L, 5000L, 5000L));
    assertThat(s.perLayer())
        .containsExactly(
            new Summary.LayerLatency(0, new Summary.Percentiles(5, 600L, 1200L, 1200L, 1200L)));
    assertThat(s.aggregatorLatency()).isEqualTo(new Summary.Percentiles(5, 300L, 700L, 700L, 700L));

    List<Long> hundred = new ArrayList<>();
    for (long i = 100; i >= 1; i--) {
      hundred.add(i);
    }
    assertThat(Summary.percentiles(hundred))
        .isEqualTo(new Summary.Percentiles(100, 50L, 95L, 99L, 100L));
    assertThat(Summary.percentiles(List.of(7L)))
        .isEqualTo(new Summary.Percentiles(1, 7L, 7L, 7L, 7L));
    assertThat(Summary.percentiles(List.of()))
        .isEqualTo(new Summary.Percentiles(0, null, null, null, null));
  }

  @Test
  void failuresByCauseCountFailedAndCancelledResultsMostFrequentFirst() {
    Summary s = Summary.of(run(Map.of()), results());
    assertThat(s.failuresByCause())
        .containsExactly(
            Map.entry("cancelled", 1), Map.entry("http_429", 1), Map.entry("sandbox", 1));
    int sum = s.failuresByCause().values().stream().mapToInt(Integer::intValue).sum();
    assertThat(sum).isEqualTo(s.counts().failed() + s.counts().cancelled());
  }

  @Test
  void causeIsTheErrorClassBeforeTheColon() {
    assertThat(Summary.cause("timeout: no result within 30000 ms")).isEqualTo("timeout");
    assertThat(Summary.cause("aggregator llama-3.3-70b: http_5xx: bad gateway"))
        .isEqualTo("http_5xx");
    assertThat(
            Summary.cause(
                "layer 1: 0 of 3 agents succeeded (min_successes 1): a: http_429: x; b: timeout: y"))
        .isEqualTo("min_successes");
    assertThat(Summary.cause("connection refused")).isEqualTo("connection refused");
    assertThat(Summary.cause(null)).isEqualTo("unknown");
    assertThat(Summary.cause("  ")).isEqualTo("unknown");
    assertThat(Summary.cause("x".repeat(100) + ": y")).hasSize(63);
  }

  @Test
  void toJsonHasEveryDocumentedSection() {
    Summary s =
        Summary.of(
            run(Map.of("m1", new ModelPrice(1.0, 2.0), "m2", new ModelPrice(0.5, 1.0))), results());
    String json = s.toJson();
    assertThat(json).contains("\n  \"counts\"");
    JsonNode n = EvalJson.MAPPER.readTree(json);
    assertThat(n.get("run").get("run_id").asString()).isEqualTo("run-1");
    assertThat(n.get("run").get("status").asString()).isEqualTo("cancelled");
    assertThat(n.get("run").get("duration_ms").asLong()).isEqualTo(65_000);
    JsonNode c = n.get("counts");
    assertThat(c.get("total").asInt()).isEqualTo(8);
    assertThat(c.get("answered").asInt()).isEqualTo(6);
    assertThat(c.get("graded").asInt()).isEqualTo(3);
    assertThat(c.get("failed").asInt()).isEqualTo(2);
    assertThat(c.get("cancelled").asInt()).isEqualTo(1);
    assertThat(c.get("skipped").asInt()).isEqualTo(1);
    assertThat(c.get("not_run").asInt()).isEqualTo(2);
    assertThat(n.get("mean_score").asDouble()).isCloseTo(1.7 / 3, within(1e-12));
    assertThat(n.get("accuracy").asDouble()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(n.get("per_grader").get("code").get("mean_points").asDouble()).isEqualTo(7.0);
    assertThat(n.get("per_grader").get("exact").get("max_points").asDouble()).isEqualTo(1.0);
    assertThat(n.get("tokens_by_model").get("m2").get("calls").asInt()).isEqualTo(5);
    assertThat(n.get("tokens_by_model").get("m2").get("cost_usd").asDouble())
        .isCloseTo(0.0009, within(1e-15));
    assertThat(n.get("total_cost_usd").asDouble()).isCloseTo(0.0037, within(1e-15));
    JsonNode lat = n.get("latency_ms");
    assertThat(lat.get("end_to_end").get("p50").asLong()).isEqualTo(3000);
    assertThat(lat.get("end_to_end").get("max").asLong()).isEqualTo(5000);
    assertThat(lat.get("per_layer").get(0).get("layer").asInt()).isZero();
    assertThat(lat.get("per_layer").get(0).get("p95").asLong()).isEqualTo(1200);
    assertThat(lat.get("aggregator").get("p99").asLong()).isEqualTo(700);
    assertThat(n.get("failures_by_cause").get("http_429").asInt()).isEqualTo(1);
    assertThat(n.get("cache_hits").asInt()).isEqualTo(1);
    assertThat(n.get("simulated").asBoolean()).isFalse();
    assertThat(n.get("skipped_lines").get(0).get("line").asInt()).isEqualTo(4);
  }

  @Test
  void unknownPricesAndNothingGradedAreNullInJson() {
    RunInfo run =
        new RunInfo("r", "d.jsonl", "c", "", true, "completed", 0, 10, 3, List.of(), Map.of());
    Summary s = Summary.of(run, List.of());
    assertThat(s.counts()).isEqualTo(new Summary.Counts(3, 0, 0, 0, 0, 0, 3));
    assertThat(s.meanScore()).isNull();
    assertThat(s.accuracy()).isNull();
    assertThat(s.totalCostUsd()).as("nothing called, nothing owed").isEqualTo(0.0);
    JsonNode n = EvalJson.MAPPER.readTree(s.toJson());
    assertThat(n.get("mean_score").isNull()).isTrue();
    assertThat(n.get("accuracy").isNull()).isTrue();
    assertThat(n.get("latency_ms").get("end_to_end").get("p50").isNull()).isTrue();
    assertThat(n.get("simulated").asBoolean()).isTrue();

    Summary unpriced = Summary.of(run(Map.of()), results());
    JsonNode u = EvalJson.MAPPER.readTree(unpriced.toJson());
    assertThat(u.get("total_cost_usd").isNull()).isTrue();
    assertThat(u.get("tokens_by_model").get("m1").get("cost_usd").isNull()).isTrue();
  }

  @Test
  void moreResultsThanSamplesIsRejected() {
    RunInfo run = Fixtures.run("completed", 5, List.of(), Map.of());
    assertThatThrownBy(() -> Summary.of(run, results()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("6 result lines for a run of 5 samples");
  }

  @Test
  void paragraphStatesTheKeyFacts() {
    Summary s =
        Summary.of(
            run(Map.of("m1", new ModelPrice(1.0, 2.0), "m2", new ModelPrice(0.5, 1.0))), results());
    assertThat(s.oneParagraph())
        .isEqualTo(
            "Run run-1 cancelled: 6 of 8 samples answered (2 failed, 1 cancelled, 2 not run,"
                + " 1 bad lines skipped). 3 graded: mean score 0.567, accuracy 33.3%."
                + " Latency p50 3,000 ms, p95 5,000 ms, max 5,000 ms. 3,750 tokens,"
                + " cost $0.0037, 1 cache hits.");
  }

  @Test
  void runInfoRejectsAnUnknownStatus() {
    assertThatThrownBy(() -> Fixtures.run("done", 1, List.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'done'");
  }
}
