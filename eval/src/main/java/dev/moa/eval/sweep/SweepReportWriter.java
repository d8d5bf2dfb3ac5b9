package dev.moa.eval.sweep;

import dev.moa.eval.ReportWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The sweep's {@code report.html}: one self-contained page (inline CSS and SVG, no script, nothing
 * fetched) with two charts — score against tokens and against latency, the Pareto front joined and
 * marked — and the table of every configuration, linking each one's own run report.
 */
public final class SweepReportWriter {

  private static final int W = 560;
  private static final int H = 340;
  private static final int LEFT = 56;
  private static final int TOP = 16;
  private static final int PLOT_W = W - LEFT - 20;
  private static final int PLOT_H = H - TOP - 46;

  private SweepReportWriter() {}

  public static void write(Path file, SweepSummary sweep) throws IOException {
    Files.writeString(file, render(sweep), StandardCharsets.UTF_8);
  }

  public static String render(SweepSummary sweep) {
    SweepSummary.Info info = sweep.info();
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.append("<title>Sweep ").append(esc(info.name())).append("</title>\n<style>");
    h.append(
        "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}"
            + "h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
            + "table{border-collapse:collapse}td,th{padding:4px 8px;border-bottom:1px solid #ddd;"
            + "text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
            + "tr.front{background:#eef7ee}.charts{display:flex;flex-wrap:wrap;gap:16px}"
            + "svg text{font-size:11px;fill:#333}.meta{color:#555}figure{margin:0}");
    h.append("</style></head><body>\n");
    h.append("<h1>Sweep ").append(esc(info.name())).append("</h1>\n");
    h.append("<p class=\"meta\">run ")
        .append(esc(info.runId()))
        .append(" · ")
        .append(esc(info.status()))
        .append(" · ")
        .append(sweep.rows().size())
        .append(" configurations × ")
        .append(info.samplesPerConfiguration())
        .append(" samples of ")
        .append(esc(info.dataset()))
        .append(" · ")
        .append(esc(info.strategy()))
        .append(info.seed() == null ? "" : " (seed " + info.seed() + ")")
        .append(" · finished ")
        .append(esc(Instant.ofEpochMilli(info.finishedAtMs()).toString()))
        .append("</p>\n");
    if (sweep.rows().stream().anyMatch(SweepSummary.Row::simulated)) {
      h.append("<p class=\"meta\">simulated model: answers came from the built-in simulator</p>\n");
    }
    h.append("<h2 id=\"pareto\">Pareto front</h2>\n<p>")
        .append(sweep.front().size())
        .append(" of ")
        .append(sweep.rows().size())
        .append(
            " configurations are on the front (no other is at least as good on score, tokens and"
                + " latency and better on one): <b>")
        .append(esc(String.join(", ", sweep.front())))
        .append(
            "</b>. Score is the mean fraction of points per sample, failures counting 0.</p>\n");
    h.append("<div class=\"charts\">\n");
    chart(h, sweep, "Score vs tokens per sample", "tokens per sample", r -> r.tokensPerSample());
    chart(
        h,
        sweep,
        "Score vs latency (p50)",
        "latency p50 (ms)",
        r -> r.latencyP50Ms() == null ? Double.NaN : r.latencyP50Ms());
    h.append("</div>\n");
    table(h, sweep);
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void chart(
      StringBuilder h,
      SweepSummary sweep,
      String title,
      String xLabel,
      ToDoubleFunction<SweepSummary.Row> x) {
    List<SweepSummary.Row> rows = new ArrayList<>();
    for (SweepSummary.Row r : sweep.rows()) {
      if (r.score() != null && !Double.isNaN(x.applyAsDouble(r))) {
        rows.add(r);
      }
    }
    double maxX = rows.stream().mapToDouble(x).max().orElse(1);
    maxX = niceCeil(maxX <= 0 ? 1 : maxX * 1.05);
    double maxY = rows.stream().mapToDouble(SweepSummary.Row::score).max().orElse(1);
    maxY = maxY <= 0 ? 1 : Math.min(1, niceCeil(maxY * 1.1));
    h.append("<figure><figcaption>").append(esc(title)).append("</figcaption>\n");
    h.append("<svg width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(title))
        .append("\">\n");
    h.append(line(LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H, "#999"));
    h.append(line(LEFT, TOP, LEFT, TOP + PLOT_H, "#999"));
    for (int i = 0; i <= 4; i++) {
      double fx = maxX * i / 4;
      double fy = maxY * i / 4;
      int px = LEFT + PLOT_W * i / 4;
      int py = TOP + PLOT_H - PLOT_H * i / 4;
      h.append(text(px, TOP + PLOT_H + 14, "middle", compact(fx)));
      h.append(text(LEFT - 6, py + 4, "end", String.format(Locale.ROOT, "%.2f", fy)));
      if (i > 0) {
        h.append(line(LEFT, py, LEFT + PLOT_W, py, "#eee"));
      }
    }
    h.append(text(LEFT + PLOT_W / 2, H - 8, "middle", xLabel));
    h.append(
        "<text x=\"12\" y=\""
            + (TOP + PLOT_H / 2)
            + "\" text-anchor=\"middle\" transform=\"rotate(-90 12 "
            + (TOP + PLOT_H / 2)
            + ")\">score</text>\n");
    List<SweepSummary.Row> front = new ArrayList<>();
    for (SweepSummary.Row r : rows) {
      if (r.pareto()) {
        front.add(r);
      }
    }
    front.sort(Comparator.comparingDouble(x));
    if (front.size() > 1) {
      StringBuilder pts = new StringBuilder();
      for (SweepSummary.Row r : front) {
        pts.append(px(x.applyAsDouble(r), maxX))
            .append(',')
            .append(py(r.score(), maxY))
            .append(' ');
      }
      h.append(
              "<polyline class=\"front\" fill=\"none\" stroke=\"#2a7a2a\" stroke-width=\"2\" points=\"")
          .append(pts.toString().strip())
          .append("\"/>\n");
    }
    for (SweepSummary.Row r : rows) {
      int cx = px(x.applyAsDouble(r), maxX);
      int cy = py(r.score(), maxY);
      h.append("<circle cx=\"")
          .append(cx)
          .append("\" cy=\"")
          .append(cy)
          .append("\" r=\"")
          .append(r.pareto() ? 6 : 4)
          .append("\" fill=\"")
          .append(r.pareto() ? "#2a7a2a" : "#8899aa")
          .append("\" data-config=\"")
          .append(esc(r.id()))
          .append("\"><title>")
          .append(esc(r.id() + " " + r.label()))
          .append("</title></circle>\n");
      if (r.pareto()) {
        // Only the front is labelled: other points crowd; their ids are in the tooltip and table.
        h.append(text(cx + 7, cy - 5, "start", r.id()));
      }
    }
    h.append("</svg></figure>\n");
  }

  private static void table(StringBuilder h, SweepSummary sweep) {
    h.append("<h2>Configurations</h2>\n<table id=\"configurations\"><thead><tr><th>front</th>");
    h.append("<th>config</th>");
    List<String> dims =
        sweep.rows().isEmpty() ? List.of() : List.copyOf(sweep.rows().get(0).choices().keySet());
    for (String d : dims) {
      h.append("<th>").append(esc(d)).append("</th>");
    }
    h.append(
        "<th>score</th><th>accuracy</th><th>tokens/sample</th><th>p50 ms</th><th>p95 ms</th>"
            + "<th>cost USD</th><th>graded</th><th>failed</th><th>report</th></tr></thead><tbody>\n");
    for (SweepSummary.Row r : sweep.rows()) {
      h.append(r.pareto() ? "<tr class=\"front\">" : "<tr>");
      h.append("<td>").append(r.pareto() ? "★" : "").append("</td>");
      h.append("<td>").append(esc(r.id())).append("</td>");
      for (String d : dims) {
        h.append("<td>").append(esc(r.choices().getOrDefault(d, ""))).append("</td>");
      }
      num(h, r.score() == null ? "–" : String.format(Locale.ROOT, "%.3f", r.score()));
      num(h, r.accuracy() == null ? "–" : String.format(Locale.ROOT, "%.1f%%", r.accuracy() * 100));
      num(h, String.format(Locale.ROOT, "%,.0f", r.tokensPerSample()));
      num(h, r.latencyP50Ms() == null ? "–" : String.format(Locale.ROOT, "%,d", r.latencyP50Ms()));
      num(h, r.latencyP95Ms() == null ? "–" : String.format(Locale.ROOT, "%,d", r.latencyP95Ms()));
      num(h, r.costUsd() == null ? "–" : String.format(Locale.ROOT, "%.4f", r.costUsd()));
      num(h, String.valueOf(r.graded()));
      num(h, String.valueOf(r.failed()));
      h.append("<td><a href=\"")
          .append(esc(r.id()))
          .append("/report.html\">report</a> · <a href=\"")
          .append(esc(r.id()))
          .append("/config.yaml\">config</a></td></tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static int px(double v, double max) {
    return LEFT + (int) Math.round(PLOT_W * Math.max(0, v) / max);
  }

  private static int py(double v, double max) {
    return TOP + PLOT_H - (int) Math.round(PLOT_H * Math.max(0, v) / max);
  }

  private static void num(StringBuilder h, String v) {
    h.append("<td class=\"n\">").append(esc(v)).append("</td>");
  }

  private static String line(int x1, int y1, int x2, int y2, String color) {
    return String.format(
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>%n", x1, y1, x2, y2, color);
  }

  private static String text(int x, int y, String anchor, String s) {
    return "<text x=\""
        + x
        + "\" y=\""
        + y
        + "\" text-anchor=\""
        + anchor
        + "\">"
        + esc(s)
        + "</text>\n";
  }

  /** 1, 2, 5 × 10^k at or above {@code v}. */
  static double niceCeil(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v - 1e-9) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String compact(double v) {
    if (v >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1000);
    }
    if (v >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  static String esc(String s) {
    return ReportWriter.esc(s);
  }
}
