package dev.moa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BenchReportTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void atMostTargetIsMetAtTheLimitAndMissedAbove() {
    assertThat(BenchReport.Target.atMost("r", 1.03, 1.03).met()).isTrue();
    assertThat(BenchReport.Target.atMost("r", 1.031, 1.03).met()).isFalse();
  }

  @Test
  void atLeastTargetIsMetAtTheLimitAndMissedBelow() {
    assertThat(BenchReport.Target.atLeast("r", 3.6, 3.6).met()).isTrue();
    assertThat(BenchReport.Target.atLeast("r", 3.59, 3.6).met()).isFalse();
  }

  @Test
  void nothingMeasuredMeetsNoTarget() {
    assertThat(BenchReport.Target.atMost("r", Double.NaN, 1).met()).isFalse();
    assertThat(BenchReport.Target.atLeast("r", Double.NaN, 1).met()).isFalse();
  }

  @Test
  void jsonIsOneObjectWithBenchmarkFiguresAndTargets() {
    BenchReport r =
        new BenchReport("scaling", "people only")
            .figure("calls_per_s_1_workers", 63.123456)
            .figure("workers", 4)
            .target(BenchReport.Target.atLeast("4 workers / 1 worker", 3.8, 3.6))
            .note("people only");

    JsonNode json = JSON.readTree(r.toJson());

    assertThat(json.propertyNames()).containsExactly("benchmark", "figures", "targets");
    assertThat(json.path("benchmark").asString()).isEqualTo("scaling");
    assertThat(json.path("figures").path("calls_per_s_1_workers").asDouble()).isEqualTo(63.1235);
    assertThat(json.path("figures").path("workers").asInt()).isEqualTo(4);
    JsonNode target = json.path("targets").get(0);
    assertThat(target.propertyNames()).containsExactly("name", "value", "limit", "met");
    assertThat(target.path("met").asBoolean()).isTrue();
    assertThat(target.path("limit").asDouble()).isEqualTo(3.6);
    assertThat(r.toJson()).doesNotContain("people only");
  }

  @Test
  void tableShowsEveryFigureAndSaysWhetherEachTargetIsMet() {
    BenchReport r =
        new BenchReport("overhead", "3 layers")
            .figure("pipeline_ratio_p50", 1.08)
            .target(BenchReport.Target.atMost("p50", 1.08, 1.03));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    r.printTable(new PrintStream(out, true, StandardCharsets.UTF_8));

    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).isEqualTo("benchmark overhead (3 layers)");
    assertThat(lines).anyMatch(l -> l.contains("pipeline_ratio_p50") && l.contains("1.080"));
    assertThat(lines).anyMatch(l -> l.contains("target: p50 <= 1.030: 1.080 MISSED"));
  }
}
