package dev.moa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchStatsTest {

  @Test
  void percentilesAreNearestRank() {
    double[] values = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assertThat(BenchStats.percentile(values, 50)).isEqualTo(5);
    assertThat(BenchStats.percentile(values, 99)).isEqualTo(10);
    assertThat(BenchStats.percentile(values, 90)).isEqualTo(9);
    assertThat(BenchStats.percentile(values, 0)).isEqualTo(1);
    assertThat(BenchStats.percentile(values, 100)).isEqualTo(10);
    assertThat(values[0]).as("input left unsorted").isEqualTo(5);
  }

  @Test
  void percentileOfNothingIsNaN() {
    assertThat(BenchStats.percentile(new double[0], 50)).isNaN();
  }

  @Test
  void ratiosArePairwise() {
    assertThat(BenchStats.ratios(new double[] {2, 9}, new double[] {1, 3}))
        .containsExactly(2.0, 3.0);
  }

  @Test
  void rssComesFromTheVmRssLineInKilobytes() {
    String status =
        "Name:\tjava\nVmPeak:\t 5000000 kB\nVmHWM:\t  900000 kB\nVmRSS:\t  812344 kB\nRssAnon:\t 700000 kB\n";
    assertThat(BenchStats.rssBytes(status)).isEqualTo(812_344L * 1024);
    assertThat(BenchStats.rssBytes("Name:\tkthreadd\n")).isEqualTo(-1);
  }

  @Test
  void prometheusSumAddsTheSeriesWhoseLabelsMatch() {
    String text =
        String.join(
            "\n",
            "# HELP jvm_memory_used_bytes The amount of used memory",
            "# TYPE jvm_memory_used_bytes gauge",
            "jvm_memory_used_bytes{application=\"agent-worker\",area=\"heap\",id=\"Eden Space\"} 1.0E8",
            "jvm_memory_used_bytes{application=\"agent-worker\",area=\"heap\",id=\"Tenured Gen\"} 5.0E7",
            "jvm_memory_used_bytes{application=\"agent-worker\",area=\"nonheap\",id=\"Metaspace\"} 9.0E7",
            "moa_inflight_calls{application=\"agent-worker\"} 2417.0",
            "moa_inflight_calls_total 3",
            "");
    assertThat(BenchStats.prometheusSum(text, "jvm_memory_used_bytes", Map.of("area", "heap")))
        .isEqualTo(1.5e8);
    assertThat(BenchStats.prometheusSum(text, "moa_inflight_calls", Map.of())).isEqualTo(2417);
    assertThat(BenchStats.prometheusSum(text, "absent_metric", Map.of())).isNaN();
    assertThat(BenchStats.prometheusSum(text, "jvm_memory_used_bytes", Map.of("area", "gpu")))
        .isNaN();
  }

  @Test
  void timingOfARequestTakesTheSlowestAgentOfEachLayerPlusTheAggregator() {
    var layers =
        List.of(
            List.of(output(100), output(300), output(200)),
            List.of(output(150), output(120), output(110)));
    OverheadBench.Timing t = OverheadBench.Timing.of(600, layers, 100);
    assertThat(t.criticalMs()).isEqualTo(300 + 150 + 100);
    assertThat(t.serialMs()).isEqualTo(600 + 380 + 100);
    assertThat(t.ratio()).isEqualTo(600.0 / 550);
  }

  private static dev.moa.protocol.avro.AgentOutput output(long latencyMs) {
    return dev.moa.protocol.avro.AgentOutput.newBuilder()
        .setAgent("a")
        .setModel("m")
        .setLayer(1)
        .setAgentIndex(0)
        .setStatus(dev.moa.protocol.avro.CallStatus.SUCCEEDED)
        .setLatencyMs(latencyMs)
        .build();
  }
}
