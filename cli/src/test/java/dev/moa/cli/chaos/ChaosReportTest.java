package dev.moa.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ChaosReportTest {

  @Test
  void retriesAreSummedByCauseOverProvidersAndModels() {
    String text =
        """
        # HELP moa_retries_total Model call attempts retried
        # TYPE moa_retries_total counter
        moa_retries_total{cause="http_5xx",model="a",provider="simulator"} 3.0
        moa_retries_total{model="b",cause="http_5xx",provider="simulator"} 2.0
        moa_retries_total{cause="timeout",model="a",provider="simulator"} 1.0
        moa_retries_total{cause="http_429",model="a",provider="simulator"} 0.0
        moa_consumer_retries_total{topic="x"} 9.0
        """;
    assertThat(ChaosReport.retriesByCause(text))
        .containsExactlyInAnyOrderEntriesOf(Map.of("http_5xx", 5L, "timeout", 1L, "http_429", 0L));
  }

  @Test
  void failureReasonsLoseIdsAndNumbersSoEqualCausesCountTogether() {
    assertThat(
            ChaosRun.reason(
                "request 0c6f1b2e-9a1d-4c8e-8f00-1234567890ab: aggregator failed after 4 attempts"))
        .isEqualTo("request ID: aggregator failed after N attempts");
    assertThat(ChaosRun.reason(null)).isEqualTo("(no reason given)");
  }

  @Test
  void passesOnlyWithNothingLostNothingDuplicatedAndEveryKill() {
    ChaosReport ok = report(0, 0, 5);
    assertThat(ok.passed(5)).isTrue();
    assertThat(report(1, 0, 5).passed(5)).isFalse();
    assertThat(report(0, 1, 5).passed(5)).isFalse();
    assertThat(report(0, 0, 4).passed(5)).isFalse();
  }

  @Test
  void jsonAndTableCarryEveryFigure() {
    ChaosReport r = report(0, 0, 1);
    JsonNode json = JsonMapper.builder().build().readTree(r.toJson());
    assertThat(json.propertyNames())
        .contains(
            "requests_submitted",
            "final_answers",
            "grades",
            "lost",
            "duplicated",
            "faults_injected",
            "retries_by_cause",
            "dlt_records",
            "kills",
            "wall_time_s");
    assertThat(json.path("final_answers").asLong()).isEqualTo(10);
    assertThat(json.path("dlt_records").asLong()).isEqualTo(2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.printTable(new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(
            "failure reasons      {aggregator: http_5xx after 4 attempts=1}",
            "lost                 0",
            "DLT records          2",
            "killed broker-2");
  }

  private static ChaosReport report(long lost, long duplicated, int kills) {
    List<ChaosReport.Kill> ks =
        java.util.stream.IntStream.range(0, kills)
            .mapToObj(i -> new ChaosReport.Kill("broker-2", 10, 20, 5, 8.0, 3.0))
            .toList();
    return new ChaosReport(
        10,
        10,
        9,
        1,
        10,
        Map.of("aggregator: http_5xx after 4 attempts", 1L),
        10,
        11,
        lost,
        duplicated,
        Map.of("5xx", 3L),
        Map.of("http_5xx", 3L),
        Map.of("moa.requests-dlt", 2L),
        ks,
        4.0,
        12.5,
        "5xx=0.1",
        42);
  }
}
