package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.eval.sweep.Configuration;
import dev.moa.eval.sweep.SpaceExpander;
import dev.moa.eval.sweep.SpaceParser;
import dev.moa.eval.sweep.SweepReportWriter;
import dev.moa.eval.sweep.SweepSummary;
import dev.moa.protocol.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep report renders in headless Chromium without a console error, with a point per
 * configuration in both charts and the front joined; screenshot: eval/target/sweep-screenshot.png.
 */
class SweepReportRenderIT {
  private static HeadlessChromium chromium;

  @TempDir Path dir;

  @BeforeAll
  static void startChromium() throws Exception {
    chromium = HeadlessChromium.start();
  }

  @AfterAll
  static void stopChromium() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
  }

  private static ResultLine line(String id, double score, long tokens, long latencyMs) {
    return ResultLine.parse(
        ("{\"id\":\"%s\",\"line\":1,\"request_id\":\"r/%s\",\"status\":\"SUCCEEDED\","
                + "\"answer\":\"<script>alert(1)</script>\",\"grade\":{\"grader\":\"exact\","
                + "\"status\":\"GRADED\",\"score\":%s,\"max_score\":1.0,\"details\":{},"
                + "\"reason\":null},\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":0},"
                + "\"latency_ms\":%d,\"layers\":[],\"aggregator\":null,\"errors\":[],"
                + "\"simulated\":false,\"cached_calls\":0}")
            .formatted(id, id, score, tokens, latencyMs));
  }

  @Test
  void eightConfigurationsRenderAsPointsWithTheFrontJoined() throws Exception {
    List<Configuration> configs =
        SpaceExpander.expand(
            SpaceParser.parse(
                "name: render\ndimensions: {layers: [1, 2], agents: [1, 3], temperature: [0.1, 0.7]}",
                "space.yaml"),
            ConfigLoader.parse(
                "layers: 1\nagents: [{name: a, model: m, provider: simulator}]\n"
                    + "aggregator: {model: g, provider: simulator}\n",
                "base.yaml"),
            "space.yaml");
    List<ResultLine> lines = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      String id = configs.get(i).id();
      for (int s = 0; s < 4; s++) {
        // More calls score higher but cost tokens; latency is noisy.
        lines.add(
            line(
                id + "/q" + s,
                (s + i) % 4 <= i / 2 ? 1.0 : 0.0,
                500L * (i + 1),
                1000L + 700L * ((i * 5) % 8)));
      }
    }
    SweepSummary sweep =
        SweepSummary.of(
            new SweepSummary.Info(
                "render", "sweep-r", "demo.jsonl", "grid", null, "completed", 0, 1, 4, List.of()),
            configs,
            lines);
    Path html = dir.resolve("report.html");
    SweepReportWriter.write(html, sweep);

    HeadlessChromium.Render r =
        chromium.render(
            html.toUri(),
            List.of(
                "document.querySelectorAll('svg circle').length",
                "document.querySelectorAll('svg polyline.front').length",
                "document.querySelectorAll('#configurations tbody tr').length",
                "document.querySelectorAll('#configurations tbody tr.front').length",
                "document.scripts.length + document.images.length",
                "(() => { const b = document.querySelector('svg circle').getBoundingClientRect();"
                    + " return b.width > 0 && b.height > 0; })()"));

    assertThat(r.errors()).as("console errors, exceptions and error logs").isEmpty();
    assertThat(r.values().get(0).asInt()).isEqualTo(16);
    assertThat(r.values().get(1).asInt()).isEqualTo(sweep.front().size() > 1 ? 2 : 0);
    assertThat(r.values().get(2).asInt()).isEqualTo(8);
    assertThat(r.values().get(3).asInt()).isEqualTo(sweep.front().size()).isPositive();
    assertThat(r.values().get(4).asInt()).isZero();
    assertThat(r.values().get(5).asBoolean()).isTrue();
    Files.write(Path.of("target/sweep-screenshot.png"), r.png());
  }
}
