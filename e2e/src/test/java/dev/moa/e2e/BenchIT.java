package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.Moa;
import dev.moa.testing.SharedBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every benchmark end to end with tiny parameters on the shared broker: it exits 0 and prints one
 * JSON object of the common shape whose key figures are positive. Figures are not checked against
 * targets here (CI machines vary); docs/benchmarks.md holds measured ones.
 */
class BenchIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static String bootstrap;

  @BeforeAll
  static void broker() {
    bootstrap = SharedBroker.settingsWithTopics().bootstrap();
  }

  @Test
  void overhead() {
    JsonNode r = run("overhead", "--requests", "3", "--warmup", "0");
    assertPositive(r, "pipeline_ratio_p50", "baseline_ratio_p50", "pipeline_critical_path_ms_p50");
    assertThat(r.path("targets")).hasSize(2);
    // The overhead by hand-over: every segment of the 3-layer path was found for the requests.
    for (String hop :
        List.of(
            "intake",
            "layer1_calls",
            "barrier1",
            "layer2_calls",
            "barrier2",
            "layer3_calls",
            "aggregate",
            "aggregator",
            "answer")) {
      assertThat(r.path("figures").has("hop_" + hop + "_ms_p50")).as(hop).isTrue();
    }
    // Each hand-over takes time: the answer is read after the aggregator's transaction commits.
    assertPositive(r, "hop_answer_ms_p50");
    // The raw hops of the same broker, and the floor they put under the ratio.
    assertPositive(r, "raw_hop_ms_p50", "raw_hop_linger5_ms_p50", "raw_transactional_hop_ms_p50");
    assertThat(r.path("figures").path("kafka_floor_ratio_p50").asDouble()).isGreaterThan(1.0);
  }

  @Test
  void throughput() {
    JsonNode r = run("throughput", "--warmup", "1", "--duration", "3", "--raw-duration", "2");
    assertPositive(
        r, "calls_per_s", "raw_records_per_s", "kafka_records_per_call", "record_bytes_mean");
  }

  @Test
  void inflight() {
    JsonNode r =
        run(
            "inflight",
            "--rate",
            "40",
            "--latency",
            "300ms",
            "--duration",
            "3",
            "--worker-heap",
            "256m");
    assertPositive(r, "inflight_p50", "calls_per_s", "heap_used_mb_max");
  }

  @Test
  void scaling() {
    JsonNode r =
        run(
            "scaling",
            "--workers",
            "1,2",
            "--latency",
            "200ms",
            "--max-in-flight",
            "8",
            "--duration",
            "3",
            "--settle",
            "1");
    assertPositive(r, "calls_per_s_1_workers", "calls_per_s_2_workers", "ratio_2_over_1");
  }

  @Test
  void footprint() {
    // A few seconds of load on a cold stack may answer nothing yet; memory is what is checked.
    JsonNode r = run("footprint", "--idle", "1", "--duration", "3");
    assertPositive(r, "idle_rss_mb_total", "load_rss_mb_total", "load_rss_mb_cli_jvm");
    assertThat(r.path("targets")).hasSize(2);
  }

  private static JsonNode run(String bench, String... args) {
    List<String> all = new ArrayList<>(List.of("bench", bench));
    all.addAll(List.of(args));
    all.addAll(List.of("--bootstrap", bootstrap, "--json"));
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      exit = Moa.execute(all.toArray(String[]::new));
    } finally {
      System.setOut(original);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as("exit code; output: %s", text).isZero();
    // Service logs share stdout here; the report is the object from a line "{" to the last "}".
    int start = text.startsWith("{") ? 0 : text.indexOf("\n{\n") + 1;
    JsonNode json = JSON.readTree(text.substring(start, text.lastIndexOf('}') + 1));
    assertThat(json.propertyNames()).containsExactly("benchmark", "figures", "targets");
    json.path("figures")
        .properties()
        .forEach(
            e ->
                assertThat(e.getValue().isNumber() && e.getValue().asDouble() >= 0)
                    .as("figure %s = %s", e.getKey(), e.getValue())
                    .isTrue());
    for (JsonNode t : json.path("targets")) {
      assertThat(t.propertyNames()).containsExactly("name", "value", "limit", "met");
      assertThat(t.path("met").isBoolean()).isTrue();
    }
    return json;
  }

  private static void assertPositive(JsonNode report, String... figures) {
    for (String f : figures) {
      assertThat(report.path("figures").path(f).asDouble()).as(f).isPositive();
    }
  }
}
