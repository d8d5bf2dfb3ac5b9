package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  static final String INJECTION = "<script>alert(1)</script><img src=x onerror=alert(2)>";

  @TempDir Path dir;

  private String write(Summary summary, List<ResultLine> results, List<BadLine> skipped)
      throws IOException {
    Path html = dir.resolve("out/report.html");
    ReportWriter.write(html, summary, results, skipped);
    assertThat(dir.resolve("out/report.html.tmp")).doesNotExist();
    return Files.readString(html, StandardCharsets.UTF_8);
  }

  @Test
  void hasHeaderSummaryChartsSkippedLinesAndOneExpandableRowPerSample() throws IOException {
    GeneratedRun run = new GeneratedRun(40, 7, "completed", false);
    String html = write(run.summary, run.results, run.skipped);

    assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>MoA eval run-7</title>");
    assertThat(html).contains("<h1>MoA eval report · run-7 ").contains(">COMPLETED</span>");
    assertThat(html).contains("datasets/generated.jsonl").contains("three-by-two");
    assertThat(html).doesNotContain("cancelled-banner").doesNotContain("simulated-banner");
    for (String id :
        List.of(
            "id=\"summary\"",
            "id=\"per-grader\"",
            "id=\"tokens-by-model\"",
            "id=\"latency\"",
            "id=\"failures\"",
            "<svg id=\"chart-score\"",
            "<svg id=\"chart-latency\"",
            "<svg id=\"chart-tokens\"",
            "id=\"skipped\"",
            "id=\"samples\"")) {
      assertThat(html).contains(id);
    }
    assertThat(count(html, "<details class=\"row\"")).isEqualTo(40);
    assertThat(html).contains(">q-0</span>").contains(">q-39</span>");
    // Skipped bad lines with their line numbers and reasons.
    assertThat(html).contains("Skipped dataset lines (2)");
    assertThat(html).contains("field &#39;input&#39; must be a string or a list, got: 7");
    // Every layer's agents and the aggregator are in the rows.
    assertThat(count(html, "<h3>Layer 0 ")).isEqualTo(40);
    assertThat(count(html, "<h3>Layer 1 ")).isEqualTo(40);
    assertThat(count(html, "<h3>Aggregator</h3>")).isEqualTo(40);
    // Tokens chart: one prompt and one completion bar per model.
    for (String model : GeneratedRun.MODELS) {
      assertThat(html).contains("<title>" + model + " prompt: ");
      assertThat(html).contains("<title>" + model + " completion: ");
    }
  }

  @Test
  void histogramBarsAddUpToTheGradedAndLatencyCounts() throws IOException {
    GeneratedRun run = new GeneratedRun(60, 11, "completed", false);
    String html = write(run.summary, run.results, run.skipped);
    String score = between(html, "<svg id=\"chart-score\"", "</svg>");
    assertThat(sumBarTitles(score)).isEqualTo(run.summary.counts().graded());
    String latency = between(html, "<svg id=\"chart-latency\"", "</svg>");
    assertThat(sumBarTitles(latency)).isEqualTo(run.summary.endToEnd().count());
  }

  @Test
  void cancelledAndSimulatedRunsSayItClearly() throws IOException {
    GeneratedRun run = new GeneratedRun(20, 3, "cancelled", true);
    String html = write(run.summary, run.results, run.skipped);
    assertThat(html).contains("id=\"cancelled-banner\">CANCELLED");
    assertThat(html).contains(">CANCELLED</span></h1>");
    assertThat(html).contains("id=\"simulated-banner\">SIMULATED");
    assertThat(html).contains("2 of 20 samples were not run");
  }

  @Test
  void everyTextFromDatasetsModelsAndGradersIsEscaped() throws IOException {
    Sample sample =
        new Sample("id" + INJECTION, 1, List.of(), null, new GraderRef("exact", "{}"), "{}");
    AgentOutput agent = Fixtures.output("agent" + INJECTION, "model" + INJECTION, 0, 0, false, 10);
    agent.setError("http_4xx: " + INJECTION);
    FinalAnswer answer = Fixtures.answer("r", INJECTION, List.of(List.of(agent)), null, 10);
    Grade grade = Fixtures.grade("exact" + INJECTION, GradeStatus.ERROR, 0, 1, INJECTION);
    grade.setDetailsJson("{\"note\": \"" + INJECTION.replace("\"", "\\\"") + "\"}");
    ResultLine line = ResultLine.of(sample, answer, grade);
    RunInfo info =
        new RunInfo(
            "run" + INJECTION,
            "data" + INJECTION,
            "cfg" + INJECTION,
            INJECTION,
            false,
            "completed",
            0,
            1,
            2,
            List.of(new BadLine(2, "bad" + INJECTION, "reason " + INJECTION)),
            Map.of());
    Summary summary = Summary.of(info, List.of(line));
    String html = write(summary, List.of(line), info.skippedLines());

    assertThat(html).doesNotContain("<img").doesNotContain("onerror=alert(2)>");
    assertThat(count(html, "<script")).as("only the page's own script").isEqualTo(1);
    assertThat(html)
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;");
    assertThat(html).contains("<pre>&lt;script&gt;alert(1)");
    // Attribute values cannot be broken out of.
    assertThat(html).doesNotContain("\"id<script");
  }

  @Test
  void isSelfContainedAndItsScriptIsAllowedByItsContentSecurityPolicy() throws Exception {
    GeneratedRun run = new GeneratedRun(10, 5, "completed", false);
    String html = write(run.summary, run.results, run.skipped);
    assertThat(html).doesNotContainPattern("(?i)(src|href)\\s*=\\s*\"?(https?:|//)");
    assertThat(html).doesNotContainPattern("(?i)url\\(|@import|<link rel=\"stylesheet\"");
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
        .doesNotContain("http://")
        .doesNotContain("https://");
    Matcher csp = Pattern.compile("script-src '(sha256-[^']+)'").matcher(html);
    assertThat(csp.find()).isTrue();
    String script = between(html, "<script>", "</script>");
    String hash =
        "sha256-"
            + Base64.getEncoder()
                .encodeToString(
                    MessageDigest.getInstance("SHA-256")
                        .digest(script.getBytes(StandardCharsets.UTF_8)));
    assertThat(csp.group(1)).isEqualTo(hash);
    assertThat(html).doesNotContainPattern("\\son[a-z]+=");
  }

  @Test
  void longTextsAreCutWithANotePointingToResultsJsonl() throws IOException {
    String longAnswer = "word ".repeat(4_000); // 20,000 chars, over the 8,000 cap
    FinalAnswer answer = Fixtures.answer("r", longAnswer, List.of(), null, 10);
    ResultLine line = ResultLine.of(Fixtures.sample("q", 1), answer, null);
    Summary summary = Summary.of(Fixtures.run("completed", 1, List.of(), Map.of()), List.of(line));
    String html = write(summary, List.of(line), List.of());
    assertThat(html).contains("<pre data-more=12000>word word").contains("attr(data-more)");
    assertThat(html.length()).isLessThan(20_000 + 30_000);
  }

  @Test
  void twoThousandSamplesStayWithinFiveMegabytes() throws IOException {
    GeneratedRun run = new GeneratedRun(2_000, 42, "completed", false);
    // Kept under target/ for a look in a browser.
    Path html = Path.of("target/report-2000-samples.html");
    ReportWriter.write(html, run.summary, run.results, run.skipped);
    long size = Files.size(html);
    long fullText =
        run.results.stream()
            .mapToLong(
                r ->
                    r.answer().length()
                        + r.allCalls().stream().mapToLong(a -> a.content().length()).sum())
            .sum();
    System.out.printf(
        "report.html for 2,000 samples: %,d bytes (texts in results: %,d chars)%n", size, fullText);
    assertThat(fullText).as("the generated texts alone exceed the bound").isGreaterThan(15_000_000);
    assertThat(size).isLessThan(5L * 1024 * 1024);
    assertThat(count(Files.readString(html), "<details class=\"row\"")).isEqualTo(2_000);
  }

  static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  static String between(String s, String start, String end) {
    int i = s.indexOf(start);
    assertThat(i).as(start).isNotNegative();
    int j = s.indexOf(end, i + start.length());
    return s.substring(i + start.length(), j);
  }

  private static int sumBarTitles(String svg) {
    Matcher m = Pattern.compile("<rect [^>]*><title>[^<]*: (\\d+)</title>").matcher(svg);
    int sum = 0;
    while (m.find()) {
      sum += Integer.parseInt(m.group(1));
    }
    return sum;
  }
}
