package dev.moa.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.eval.ResultLine;
import dev.moa.protocol.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SweepSummaryTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  static ResultLine line(String id, String status, Double score, long tokens, long latencyMs) {
    String grade =
        score == null
            ? "null"
            : "{\"grader\":\"exact\",\"status\":\"GRADED\",\"score\":%s,\"max_score\":1.0,\"details\":{},\"reason\":null}"
                .formatted(score);
    return ResultLine.parse(
        """
        {"id":"%s","line":1,"request_id":"r/%s","status":"%s","answer":"x","grade":%s,
         "usage":{"prompt_tokens":%d,"completion_tokens":0},"latency_ms":%d,"layers":[],
         "aggregator":null,"errors":[],"simulated":true,"cached_calls":0}
        """
            .formatted(id, id, status, grade, tokens, latencyMs)
            .replace("\n", ""));
  }

  private static List<Configuration> configs() throws Exception {
    return SpaceExpander.expand(
        SpaceParser.parse("name: t\ndimensions: {agents: [1, 2, 3]}", "space.yaml"),
        ConfigLoader.parse(
            """
            layers: 1
            agents: [{name: a, model: m, provider: simulator}]
            aggregator: {model: g, provider: simulator}
            """,
            "base.yaml"),
        "space.yaml");
  }

  private static SweepSummary summary() throws Exception {
    List<ResultLine> lines = new ArrayList<>();
    // c01: cheap and fast, half right. c02: worse than c01 everywhere. c03: best score, costly.
    lines.add(line("c01/q1", "SUCCEEDED", 1.0, 100, 1000));
    lines.add(line("c01/q2", "SUCCEEDED", 0.0, 100, 1000));
    lines.add(line("c02/q1", "SUCCEEDED", 1.0, 300, 2000));
    lines.add(line("c02/q2", "FAILED", null, 0, 2000));
    lines.add(line("c03/q1", "SUCCEEDED", 1.0, 900, 3000));
    lines.add(line("c03/q2", "SUCCEEDED", 1.0, 900, 3000));
    lines.add(line("zz/q1", "SUCCEEDED", 1.0, 1, 1)); // not a configuration of this sweep
    return SweepSummary.of(
        new SweepSummary.Info(
            "t", "sweep-1", "demo.jsonl", "grid", null, "completed", 0, 1000, 2, List.of()),
        configs(),
        lines);
  }

  @Test
  void scoresCountFailuresAsZeroAndTheFrontLeavesOutDominatedConfigurations() throws Exception {
    SweepSummary s = summary();

    assertThat(s.rows()).extracting(SweepSummary.Row::score).containsExactly(0.5, 0.5, 1.0);
    assertThat(s.rows())
        .extracting(SweepSummary.Row::tokensPerSample)
        .containsExactly(100.0, 150.0, 900.0);
    assertThat(s.rows()).extracting(SweepSummary.Row::failed).containsExactly(0, 1, 0);
    assertThat(s.front()).containsExactly("c01", "c03");
    assertThat(s.lines("c02")).hasSize(2);
    assertThat(s.summary("c03").counts().graded()).isEqualTo(2);
  }

  @Test
  void sweepJsonListsEveryConfigurationAndTheFront() throws Exception {
    JsonNode j = JSON.readTree(summary().toJson());

    assertThat(j.path("pareto_front").toString()).isEqualTo("[\"c01\",\"c03\"]");
    assertThat(j.path("configurations")).hasSize(3);
    JsonNode c2 = j.path("configurations").get(1);
    assertThat(c2.path("choices").path("agents").asString()).isEqualTo("2");
    assertThat(c2.path("pareto").asBoolean()).isFalse();
    assertThat(c2.path("latency_p50_ms").asLong()).isEqualTo(2000);
    assertThat(c2.path("report").asString()).isEqualTo("c02/report.html");
  }

  @Test
  void theReportHasTheTableAndAChartWithTheFrontJoined() throws Exception {
    String html = SweepReportWriter.render(summary());

    assertThat(html).contains("<table id=\"configurations\">").contains("c02/report.html");
    assertThat(html).containsPattern("<tr class=\"front\"><td>★</td><td>c01</td>");
    assertThat(html).containsPattern("<tr><td></td><td>c02</td>");
    assertThat(html).contains("<polyline class=\"front\"").contains("data-config=\"c03\"");
    assertThat(html).contains("on the front").contains("<b>c01, c03</b>");
    assertThat(html).doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
  }

  @Test
  void theTextTableMarksTheFront() throws Exception {
    String table = summary().table();
    assertThat(table.lines().filter(l -> l.startsWith("  *"))).hasSize(2);
    assertThat(table).contains("c02").contains("agents=3");
  }
}
