package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Acceptance: report.html renders in headless Chromium without a console error, its script works,
 * and a screenshot is saved as eval/target/report-screenshot.png. Fails (does not skip) without
 * Chromium; bin/test installs it.
 */
class ReportRenderIT {
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

  @Test
  void aRealisticReportRendersWithoutErrorsAndItsFilterWorks() throws Exception {
    GeneratedRun run = GeneratedRun.withInjectedSample(2_000, 2024);
    Path html = dir.resolve("report.html");
    ReportWriter.write(html, run.summary, run.results, run.skipped);
    long failed = run.results.stream().filter(ResultLine::failed).count();
    assertThat(failed).as("the run has failures to filter for").isBetween(10L, 1_000L);

    HeadlessChromium.Render r =
        chromium.render(
            html.toUri(),
            List.of(
                "document.querySelectorAll('details.row').length",
                "document.getElementById('shown').textContent",
                "document.images.length + document.querySelectorAll('body script').length",
                "[...document.querySelectorAll('details.row pre')]"
                    + ".some(p => p.textContent.startsWith('<script>alert(1)</script><img'))",
                "document.querySelectorAll('#charts svg rect').length",
                // Filter to failed rows, as a user would.
                "(() => { const s = document.getElementById('st'); s.value = 'failed';"
                    + " s.dispatchEvent(new Event('change'));"
                    + " return document.querySelectorAll('details.row:not([hidden])').length; })()",
                "document.getElementById('shown').textContent",
                // Back to all, and open the first row for the screenshot.
                "(() => { const s = document.getElementById('st'); s.value = 'all';"
                    + " s.dispatchEvent(new Event('change'));"
                    + " document.querySelector('details.row').open = true;"
                    + " return document.querySelectorAll('details.row:not([hidden])').length; })()"));

    assertThat(r.errors()).as("console errors, exceptions and error logs").isEmpty();
    List<JsonNode> v = r.values();
    int rows = run.results.size();
    assertThat(v.get(0).asInt()).isEqualTo(rows);
    assertThat(v.get(1).asString()).isEqualTo(rows + " of " + rows + " shown");
    assertThat(v.get(2).asInt()).as("no injected image, only the page's own script").isEqualTo(1);
    assertThat(v.get(3).asBoolean()).as("the injected answer shows as text").isTrue();
    assertThat(v.get(4).asInt()).as("chart bars").isGreaterThan(20);
    assertThat(v.get(5).asLong()).isEqualTo(failed);
    assertThat(v.get(6).asString()).isEqualTo(failed + " of " + rows + " shown");
    assertThat(v.get(7).asInt()).isEqualTo(rows);

    Path screenshot = Path.of("target/report-screenshot.png");
    Files.write(screenshot, r.png());
    assertValidNonTrivialPng(r.png());
  }

  @Test
  void aCancelledSimulatedRunRendersWithoutErrors() throws Exception {
    GeneratedRun run = new GeneratedRun(30, 9, "cancelled", true);
    Path html = dir.resolve("cancelled.html");
    ReportWriter.write(html, run.summary, run.results, run.skipped);
    HeadlessChromium.Render r =
        chromium.render(
            html.toUri(),
            List.of(
                "document.getElementById('cancelled-banner').textContent",
                "document.getElementById('simulated-banner') !== null"));
    assertThat(r.errors()).isEmpty();
    assertThat(r.values().get(0).asString()).startsWith("CANCELLED");
    assertThat(r.values().get(1).asBoolean()).isTrue();
    Files.write(Path.of("target/report-cancelled-screenshot.png"), r.png());
    assertValidNonTrivialPng(r.png());
  }

  @Test
  void theHarnessReportsADeliberateErrorAndConsoleError() throws Exception {
    Path page = dir.resolve("broken.html");
    Files.writeString(
        page,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>broken</title></head><body>"
            + "<p>broken page</p><script>console.error('deliberate console error');"
            + "throw new Error('deliberate failure');</script></body></html>");
    HeadlessChromium.Render r = chromium.render(page.toUri(), List.of("undefinedFunction()"));
    assertThat(r.errors())
        .anySatisfy(e -> assertThat(e).startsWith("exception: ").contains("deliberate failure"))
        .anySatisfy(e -> assertThat(e).isEqualTo("console.error: deliberate console error"))
        .anySatisfy(e -> assertThat(e).contains("undefinedFunction"));
  }

  @Test
  void aMissedEscapeInTheReportWouldBeCaughtByItsContentSecurityPolicy() throws Exception {
    GeneratedRun run = new GeneratedRun(5, 1, "completed", false);
    Path html = dir.resolve("unescaped.html");
    ReportWriter.write(html, run.summary, run.results, run.skipped);
    // What an unescaped answer would put in the page.
    String page =
        Files.readString(html)
            .replace("<h3>Answer</h3>", "<h3>Answer</h3><img src=x onerror=\"alert(2)\">");
    Files.writeString(html, page);
    HeadlessChromium.Render r = chromium.render(html.toUri(), List.of("document.images.length"));
    assertThat(r.values().get(0).asInt()).isEqualTo(5);
    assertThat(r.errors())
        .as("the blocked image and handler are reported")
        .isNotEmpty()
        .anySatisfy(e -> assertThat(e).contains("Content Security Policy"));
  }

  private static void assertValidNonTrivialPng(byte[] png) throws Exception {
    assertThat(png)
        .startsWith(
            (byte) 0x89,
            (byte) 'P',
            (byte) 'N',
            (byte) 'G',
            (byte) 0x0D,
            (byte) 0x0A,
            (byte) 0x1A,
            (byte) 0x0A);
    assertThat(png.length).isGreaterThan(20_000);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(HeadlessChromium.WIDTH);
    assertThat(image.getHeight()).isEqualTo(HeadlessChromium.HEIGHT);
    Set<Integer> colors = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 4) {
      for (int x = 0; x < image.getWidth(); x += 4) {
        colors.add(image.getRGB(x, y));
      }
    }
    assertThat(colors.size()).as("distinct colours: text, charts, badges").isGreaterThan(50);
  }
}
