package dev.moa.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;

/**
 * Writes {@code report.html}: one self-contained page (inline CSS, inline SVG charts, a small
 * inline script for filtering; no external URL). Every text that comes from a dataset, a model or a
 * grader is HTML-escaped, and a Content-Security-Policy allows only the page's own script (by
 * hash), so even a missed escape could not run injected code.
 *
 * <p>To stay usable for thousands of samples, long texts are cut to a per-run budget (the full
 * texts stay in {@code results.jsonl}): agent outputs share about 0.9 M characters and answers
 * about 0.5 M, within per-text bounds of 60..4,000 and 250..8,000 characters. 2,000 samples of two
 * three-agent layers give a page of under 5 MB.
 */
public final class ReportWriter {

  static final int AGENT_BUDGET = 900_000;
  static final int AGENT_MIN = 60;
  static final int AGENT_MAX = 4_000;
  static final int ANSWER_BUDGET = 500_000;
  static final int ANSWER_MIN = 250;
  static final int ANSWER_MAX = 8_000;
  static final int DETAILS_MAX = 2_000;

  private static final String SCRIPT =
      """
      (function () {
        var q = document.getElementById('q');
        var st = document.getElementById('st');
        var shown = document.getElementById('shown');
        var rows = document.querySelectorAll('details.row');
        function apply() {
          var t = q.value.trim().toLowerCase();
          var s = st.value;
          var n = 0;
          for (var i = 0; i < rows.length; i++) {
            var r = rows[i];
            var ok = (!t || r.getAttribute('data-s').indexOf(t) >= 0)
                && (s === 'all' || (' ' + r.getAttribute('data-k') + ' ').indexOf(' ' + s + ' ') >= 0);
            r.hidden = !ok;
            if (ok) { n++; }
          }
          shown.textContent = n + ' of ' + rows.length + ' shown';
        }
        q.addEventListener('input', apply);
        st.addEventListener('change', apply);
        apply();
      })();
      """;

  private static final String CSS =
      """
      :root{--fg:#1d2430;--muted:#5b6576;--line:#d9dee7;--bg:#f6f7f9;--ok:#1a7f37;--bad:#c62828;\
      --warn:#b26a00;--acc:#2f5fb3;--acc2:#e39b2d}
      *{box-sizing:border-box}
      body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);\
      background:var(--bg)}
      header,section{max-width:1200px;margin:0 auto;padding:12px 20px}
      h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:18px 0 8px}h3{font-size:14px;margin:10px 0 4px}
      .meta{color:var(--muted)}.meta span{margin-right:18px}
      .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;\
      background:#e8ecf3;vertical-align:middle}
      .b-completed,.b-SUCCEEDED,.b-GRADED{background:#dff3e4;color:var(--ok)}
      .b-cancelled,.b-CANCELLED,.b-NOT_GRADED{background:#fff1d6;color:var(--warn)}
      .b-failed,.b-FAILED,.b-ERROR{background:#fde2e1;color:var(--bad)}
      .banner{margin:10px 0;padding:10px 14px;border-radius:6px;font-weight:600}
      .banner.cancelled{background:#fff1d6;border:2px solid var(--warn);color:#7a4a00;font-size:18px}
      .banner.failed{background:#fde2e1;border:2px solid var(--bad);color:#8e1b1b;font-size:18px}
      .banner.simulated{background:#e7eefc;border:2px dashed var(--acc);color:#1f3f7a}
      .cards{display:flex;flex-wrap:wrap;gap:10px}
      .card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:120px}
      .card .v{font-size:20px;font-weight:600}.card .k{color:var(--muted);font-size:12px}
      table{border-collapse:collapse;background:#fff;margin:4px 0 10px}
      th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
      td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
      .charts{display:flex;flex-wrap:wrap;gap:14px}
      .chart{background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px}
      .chart svg text{font:11px system-ui,sans-serif;fill:#3a4352}
      .controls{display:flex;gap:10px;align-items:center;margin:6px 0}
      .controls input{width:320px;padding:4px 6px}
      .grid{display:grid;grid-template-columns:minmax(9em,2fr) 7.5em minmax(9em,1.6fr) 7em 7em 7em;\
      gap:0 8px;align-items:center}
      .thead{font-weight:600;padding:4px 8px 4px 26px;border-bottom:2px solid var(--line)}
      details.row{background:#fff;border-bottom:1px solid var(--line)}
      details.row[hidden]{display:none}
      details.row>summary{cursor:pointer;padding:4px 8px;list-style-position:outside}
      details.row>summary>span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
      details.row>summary .n{text-align:right;font-variant-numeric:tabular-nums}
      details.row[open]{background:#fbfcfe}
      .detail{padding:6px 12px 12px 26px}
      pre{white-space:pre-wrap;word-break:break-word;background:#f3f5f8;border:1px solid var(--line);\
      padding:6px 8px;margin:4px 0;max-height:24em;overflow:auto;font-size:12.5px}
      .ag{border-left:3px solid var(--line);padding-left:8px;margin:6px 0}
      .ag.failed{border-left-color:var(--bad)}
      .small,small{color:var(--muted);font-size:12px}.err{color:var(--bad)}
      pre[data-more]::after{content:" … +" attr(data-more) " chars";color:var(--muted)}
      """;

  private ReportWriter() {}

  /**
   * Writes the report (replacing the file atomically where the file system allows).
   *
   * @param htmlFile where to write report.html
   * @param summary the run's summary
   * @param results the result lines, in the order to list them
   * @param skipped the dataset's bad lines that were skipped
   */
  public static void write(
      Path htmlFile, Summary summary, List<ResultLine> results, List<BadLine> skipped)
      throws IOException {
    String html = render(summary, results, skipped);
    Path parent = htmlFile.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = htmlFile.resolveSibling(htmlFile.getFileName() + ".tmp");
    Files.writeString(tmp, html, StandardCharsets.UTF_8);
    try {
      Files.move(
          tmp, htmlFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.move(tmp, htmlFile, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static String render(Summary summary, List<ResultLine> results, List<BadLine> skipped) {
    RunInfo run = summary.run();
    int outputs = 0;
    for (ResultLine r : results) {
      outputs += r.allCalls().size();
    }
    int agentLimit = clamp(AGENT_BUDGET / Math.max(1, outputs), AGENT_MIN, AGENT_MAX);
    int answerLimit = clamp(ANSWER_BUDGET / Math.max(1, results.size()), ANSWER_MIN, ANSWER_MAX);

    StringBuilder h = new StringBuilder(1 << 20);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    h.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
        .append("style-src 'unsafe-inline'; img-src data:; script-src '")
        .append(sha256(SCRIPT))
        .append("'\">\n");
    h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.append("<link rel=\"icon\" href=\"data:,\">\n");
    h.append("<title>MoA eval ").append(esc(run.runId())).append("</title>\n");
    h.append("<style>\n").append(CSS).append("</style></head>\n<body>\n");
    header(h, summary);
    numbers(h, summary);
    charts(h, summary, results);
    skippedLines(h, skipped);
    samples(h, results, agentLimit, answerLimit);
    h.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
    return h.toString();
  }

  private static void header(StringBuilder h, Summary s) {
    RunInfo run = s.run();
    Summary.Counts c = s.counts();
    h.append("<header>\n<h1>MoA eval report · ").append(esc(run.runId())).append(' ');
    h.append("<span id=\"run-status\" class=\"badge b-")
        .append(esc(run.status()))
        .append("\">")
        .append(esc(run.status().toUpperCase(Locale.ROOT)))
        .append("</span></h1>\n");
    if (run.cancelled()) {
      h.append("<div class=\"banner cancelled\" id=\"cancelled-banner\">CANCELLED — this run was")
          .append(" cancelled; ")
          .append(c.notRun())
          .append(" of ")
          .append(c.total())
          .append(" samples were not run and ")
          .append(c.cancelled())
          .append(" were cancelled in flight.</div>\n");
    } else if (run.status().equals("failed")) {
      h.append(
              "<div class=\"banner failed\" id=\"failed-banner\">FAILED — this run did not finish;")
          .append(" the numbers below cover only the samples that have results.</div>\n");
    }
    if (s.simulated()) {
      h.append("<div class=\"banner simulated\" id=\"simulated-banner\">SIMULATED — answers come")
          .append(" from the built-in simulator: scores, latencies and tokens do not describe real")
          .append(" models.</div>\n");
    }
    h.append("<div class=\"meta\"><span>dataset <b>")
        .append(esc(run.dataset()))
        .append("</b></span><span>config <b>")
        .append(esc(run.configName()))
        .append("</b>");
    if (!run.configHash().isEmpty()) {
      String hash = run.configHash();
      h.append(" <span class=\"small\" title=\"")
          .append(esc(hash))
          .append("\">")
          .append(esc(hash.length() > 12 ? hash.substring(0, 12) : hash))
          .append("</span>");
    }
    h.append("</span><span>started ")
        .append(esc(Instant.ofEpochMilli(run.startedAtMs()).toString()))
        .append("</span><span>duration ")
        .append(esc(duration(run.finishedAtMs() - run.startedAtMs())))
        .append("</span></div>\n</header>\n");
  }

  private static void numbers(StringBuilder h, Summary s) {
    Summary.Counts c = s.counts();
    h.append("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
    card(h, "samples", group(c.total()));
    card(h, "answered", group(c.answered()));
    card(h, "graded", group(c.graded()));
    card(h, "failed", group(c.failed()));
    card(h, "cancelled", group(c.cancelled()));
    card(h, "not run", group(c.notRun()));
    card(h, "bad lines skipped", group(c.skipped()));
    card(h, "mean score", s.meanScore() == null ? "—" : fmt(s.meanScore(), 3));
    card(h, "accuracy", s.accuracy() == null ? "—" : fmt(s.accuracy() * 100, 1) + "%");
    card(h, "tokens", group(s.promptTokens() + s.completionTokens()));
    card(h, "cost", s.totalCostUsd() == null ? "unknown" : "$" + fmt(s.totalCostUsd(), 4));
    card(h, "cache hits", group(s.cacheHits()));
    card(h, "p50 latency", ms(s.endToEnd().p50()));
    card(h, "p95 latency", ms(s.endToEnd().p95()));
    h.append("</div>\n");

    h.append("<h3>Per grader</h3>\n");
    if (s.perGrader().isEmpty()) {
      h.append("<p class=\"small\">No grades.</p>\n");
    } else {
      h.append("<table id=\"per-grader\"><tr><th>grader</th><th class=\"n\">count</th>")
          .append("<th class=\"n\">graded</th><th class=\"n\">errors</th>")
          .append("<th class=\"n\">mean score</th><th class=\"n\">accuracy</th>")
          .append("<th class=\"n\">mean points</th><th class=\"n\">max points</th></tr>\n");
      for (Summary.GraderStats g : s.perGrader().values()) {
        h.append("<tr><td>").append(esc(g.type())).append("</td>");
        num(h, group(g.count()));
        num(h, group(g.graded()));
        num(h, group(g.errors()));
        num(h, g.meanScore() == null ? "—" : fmt(g.meanScore(), 3));
        num(h, g.accuracy() == null ? "—" : fmt(g.accuracy() * 100, 1) + "%");
        num(h, g.meanPoints() == null ? "—" : fmt(g.meanPoints(), 2));
        num(h, g.maxPoints() == null ? "—" : fmt(g.maxPoints(), 2));
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }

    h.append("<h3>Tokens by model</h3>\n");
    if (s.tokensByModel().isEmpty()) {
      h.append("<p class=\"small\">No calls.</p>\n");
    } else {
      h.append("<table id=\"tokens-by-model\"><tr><th>model</th><th class=\"n\">calls</th>")
          .append("<th class=\"n\">cached</th><th class=\"n\">prompt tokens</th>")
          .append("<th class=\"n\">completion tokens</th><th class=\"n\">cost (USD)</th></tr>\n");
      for (Summary.ModelTokens t : s.tokensByModel().values()) {
        h.append("<tr><td>").append(esc(t.model())).append("</td>");
        num(h, group(t.calls()));
        num(h, group(t.cachedCalls()));
        num(h, group(t.promptTokens()));
        num(h, group(t.completionTokens()));
        num(h, t.costUsd() == null ? "no price" : fmt(t.costUsd(), 4));
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }

    h.append("<h3>Latency (ms)</h3>\n<table id=\"latency\"><tr><th>stage</th>")
        .append("<th class=\"n\">n</th><th class=\"n\">p50</th><th class=\"n\">p95</th>")
        .append("<th class=\"n\">p99</th><th class=\"n\">max</th></tr>\n");
    latencyRow(h, "end to end", s.endToEnd());
    for (Summary.LayerLatency l : s.perLayer()) {
      latencyRow(h, "layer " + l.layer() + " (slowest agent)", l.latency());
    }
    latencyRow(h, "aggregator", s.aggregatorLatency());
    h.append("</table>\n");

    h.append("<h3>Failures by cause</h3>\n");
    if (s.failuresByCause().isEmpty()) {
      h.append("<p class=\"small\" id=\"failures\">No failures.</p>\n");
    } else {
      h.append("<table id=\"failures\"><tr><th>cause</th><th class=\"n\">samples</th></tr>\n");
      for (Map.Entry<String, Integer> e : s.failuresByCause().entrySet()) {
        h.append("<tr><td>").append(esc(e.getKey())).append("</td>");
        num(h, group(e.getValue()));
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }
    h.append("</section>\n");
  }

  private static void latencyRow(StringBuilder h, String name, Summary.Percentiles p) {
    h.append("<tr><td>").append(esc(name)).append("</td>");
    num(h, group(p.count()));
    num(h, p.p50() == null ? "—" : group(p.p50()));
    num(h, p.p95() == null ? "—" : group(p.p95()));
    num(h, p.p99() == null ? "—" : group(p.p99()));
    num(h, p.max() == null ? "—" : group(p.max()));
    h.append("</tr>\n");
  }

  private static void card(StringBuilder h, String key, String value) {
    h.append("<div class=\"card\"><div class=\"v\">")
        .append(esc(value))
        .append("</div><div class=\"k\">")
        .append(esc(key))
        .append("</div></div>\n");
  }

  private static void num(StringBuilder h, String value) {
    h.append("<td class=\"n\">").append(esc(value)).append("</td>");
  }

  // ---------------------------------------------------------------- charts

  private static void charts(StringBuilder h, Summary s, List<ResultLine> results) {
    h.append("<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n");
    int[] scoreBins = new int[10];
    int scored = 0;
    List<Long> latencies = new ArrayList<>();
    for (ResultLine r : results) {
      if (r.grade() != null && r.grade().graded()) {
        scoreBins[Math.min(9, (int) Math.floor(r.grade().fraction() * 10))]++;
        scored++;
      }
      if (!r.cancelled()) {
        latencies.add(r.latencyMs());
      }
    }
    String[] scoreLabels = new String[10];
    for (int i = 0; i < 10; i++) {
      scoreLabels[i] = i == 9 ? ".9–1" : "." + i;
    }
    scoreLabels[0] = "0–.1";
    histogram(
        h,
        "chart-score",
        "Score distribution (score / max score, " + scored + " graded)",
        scoreBins,
        scoreLabels,
        "#2f5fb3");

    long max = 0;
    for (long v : latencies) {
      max = Math.max(max, v);
    }
    int binCount = 20;
    int[] latBins = new int[binCount];
    long width = Math.max(1, (max + binCount) / binCount);
    for (long v : latencies) {
      latBins[(int) Math.min(binCount - 1, Math.max(0, v) / width)]++;
    }
    String[] latLabels = new String[binCount];
    for (int i = 0; i < binCount; i++) {
      latLabels[i] = i % 5 == 0 ? seconds(i * width) : "";
    }
    histogram(
        h,
        "chart-latency",
        "End-to-end latency (" + latencies.size() + " samples, bin " + seconds(width) + ")",
        latBins,
        latLabels,
        "#1a7f37");
    tokenBars(h, s);
    h.append("</div>\n</section>\n");
  }

  private static void histogram(
      StringBuilder h, String id, String title, int[] bins, String[] labels, String color) {
    int w = 520;
    int ht = 240;
    int left = 44;
    int right = 10;
    int top = 28;
    int bottom = 34;
    int plotW = w - left - right;
    int plotH = ht - top - bottom;
    int max = 0;
    int sum = 0;
    for (int b : bins) {
      max = Math.max(max, b);
      sum += b;
    }
    h.append("<div class=\"chart\"><svg id=\"")
        .append(id)
        .append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(w)
        .append("\" height=\"")
        .append(ht)
        .append("\" viewBox=\"0 0 ")
        .append(w)
        .append(' ')
        .append(ht)
        .append("\" role=\"img\"><title>")
        .append(esc(title))
        .append("</title>\n<text x=\"")
        .append(left)
        .append("\" y=\"16\" font-weight=\"600\">")
        .append(esc(title))
        .append("</text>\n");
    axes(h, left, top, plotW, plotH);
    if (sum == 0) {
      h.append("<text x=\"")
          .append(left + plotW / 2)
          .append("\" y=\"")
          .append(top + plotH / 2)
          .append("\" text-anchor=\"middle\">no data</text></svg></div>\n");
      return;
    }
    yTicks(h, left, top, plotH, max);
    double bw = (double) plotW / bins.length;
    for (int i = 0; i < bins.length; i++) {
      double x = left + i * bw;
      double bh = (double) bins[i] / max * plotH;
      if (bins[i] > 0) {
        h.append("<rect x=\"")
            .append(fmt(x + 1, 1))
            .append("\" y=\"")
            .append(fmt(top + plotH - bh, 1))
            .append("\" width=\"")
            .append(fmt(Math.max(1, bw - 2), 1))
            .append("\" height=\"")
            .append(fmt(bh, 1))
            .append("\" fill=\"")
            .append(color)
            .append("\"><title>")
            .append(esc((labels[i].isEmpty() ? "bin " + i : labels[i]) + ": " + bins[i]))
            .append("</title></rect>\n");
      }
      if (!labels[i].isEmpty()) {
        h.append("<text x=\"")
            .append(fmt(x + bw / 2, 1))
            .append("\" y=\"")
            .append(top + plotH + 14)
            .append("\" text-anchor=\"middle\">")
            .append(esc(labels[i]))
            .append("</text>\n");
      }
    }
    h.append("</svg></div>\n");
  }

  private static void axes(StringBuilder h, int left, int top, int plotW, int plotH) {
    h.append("<line x1=\"")
        .append(left)
        .append("\" y1=\"")
        .append(top + plotH)
        .append("\" x2=\"")
        .append(left + plotW)
        .append("\" y2=\"")
        .append(top + plotH)
        .append("\" stroke=\"#8a93a3\"/>\n<line x1=\"")
        .append(left)
        .append("\" y1=\"")
        .append(top)
        .append("\" x2=\"")
        .append(left)
        .append("\" y2=\"")
        .append(top + plotH)
        .append("\" stroke=\"#8a93a3\"/>\n");
  }

  private static void yTicks(StringBuilder h, int left, int top, int plotH, long max) {
    long step = Math.max(1, (max + 3) / 4);
    for (long v = 0; v <= max; v += step) {
      double y = top + plotH - (double) plotH * v / max;
      h.append("<text x=\"")
          .append(left - 4)
          .append("\" y=\"")
          .append(fmt(y + 4, 1))
          .append("\" text-anchor=\"end\">")
          .append(esc(compact(v)))
          .append("</text>\n");
    }
  }

  private static void tokenBars(StringBuilder h, Summary s) {
    List<Summary.ModelTokens> models = new ArrayList<>(s.tokensByModel().values());
    int left = 170;
    int w = 520;
    int plotW = w - left - 60;
    int rowH = 34;
    int top = 44;
    int ht = top + Math.max(1, models.size()) * rowH + 10;
    String title = "Tokens by model";
    h.append("<div class=\"chart\"><svg id=\"chart-tokens\" xmlns=\"http://www.w3.org/2000/svg\"")
        .append(" width=\"")
        .append(w)
        .append("\" height=\"")
        .append(ht)
        .append("\" viewBox=\"0 0 ")
        .append(w)
        .append(' ')
        .append(ht)
        .append("\" role=\"img\"><title>")
        .append(title)
        .append("</title>\n<text x=\"10\" y=\"16\" font-weight=\"600\">")
        .append(title)
        .append("</text>\n")
        .append("<rect x=\"10\" y=\"24\" width=\"10\" height=\"10\" fill=\"#2f5fb3\"/>")
        .append("<text x=\"24\" y=\"33\">prompt</text>")
        .append("<rect x=\"80\" y=\"24\" width=\"10\" height=\"10\" fill=\"#e39b2d\"/>")
        .append("<text x=\"94\" y=\"33\">completion</text>\n");
    long max = 0;
    for (Summary.ModelTokens t : models) {
      max = Math.max(max, Math.max(t.promptTokens(), t.completionTokens()));
    }
    if (models.isEmpty() || max == 0) {
      h.append("<text x=\"")
          .append(w / 2)
          .append("\" y=\"")
          .append(top + 20)
          .append("\" text-anchor=\"middle\">no data</text></svg></div>\n");
      return;
    }
    for (int i = 0; i < models.size(); i++) {
      Summary.ModelTokens t = models.get(i);
      int y = top + i * rowH;
      String name = t.model().length() > 26 ? t.model().substring(0, 25) + "…" : t.model();
      h.append("<text x=\"")
          .append(left - 6)
          .append("\" y=\"")
          .append(y + 17)
          .append("\" text-anchor=\"end\"><title>")
          .append(esc(t.model()))
          .append("</title>")
          .append(esc(name))
          .append("</text>\n");
      bar(h, left, y + 2, plotW, t.promptTokens(), max, "#2f5fb3", t.model() + " prompt");
      bar(h, left, y + 16, plotW, t.completionTokens(), max, "#e39b2d", t.model() + " completion");
    }
    h.append("</svg></div>\n");
  }

  private static void bar(
      StringBuilder h, int x, int y, int plotW, long value, long max, String color, String what) {
    double bw = Math.max(value > 0 ? 1 : 0, (double) value / max * plotW);
    h.append("<rect x=\"")
        .append(x)
        .append("\" y=\"")
        .append(y)
        .append("\" width=\"")
        .append(fmt(bw, 1))
        .append("\" height=\"12\" fill=\"")
        .append(color)
        .append("\"><title>")
        .append(esc(what + ": " + group(value) + " tokens"))
        .append("</title></rect><text x=\"")
        .append(fmt(x + bw + 4, 1))
        .append("\" y=\"")
        .append(y + 10)
        .append("\">")
        .append(esc(compact(value)))
        .append("</text>\n");
  }

  // ---------------------------------------------------------------- bad lines and samples

  private static void skippedLines(StringBuilder h, List<BadLine> skipped) {
    h.append("<section id=\"skipped\">\n<h2>Skipped dataset lines (")
        .append(skipped.size())
        .append(")</h2>\n");
    if (skipped.isEmpty()) {
      h.append("<p class=\"small\">None.</p>\n");
    } else {
      h.append("<table><tr><th class=\"n\">line</th><th>id</th><th>reason</th></tr>\n");
      for (BadLine b : skipped) {
        h.append("<tr>");
        num(h, Integer.toString(b.line()));
        h.append("<td>")
            .append(b.id() == null ? "—" : esc(b.id()))
            .append("</td><td>")
            .append(esc(b.reason()))
            .append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    h.append("</section>\n");
  }

  private static void samples(
      StringBuilder h, List<ResultLine> results, int agentLimit, int answerLimit) {
    h.append("<section id=\"samples\">\n<h2>Samples (").append(results.size()).append(")</h2>\n");
    h.append("<div class=\"controls\"><input id=\"q\" type=\"search\" ")
        .append("placeholder=\"filter by id, status or grader\" aria-label=\"filter\">")
        .append("<select id=\"st\" aria-label=\"show\">")
        .append("<option value=\"all\">all</option>")
        .append("<option value=\"failed\">failed</option>")
        .append("<option value=\"cancelled\">cancelled</option>")
        .append("<option value=\"graded\">graded</option>")
        .append("<option value=\"perfect\">full marks</option>")
        .append("<option value=\"imperfect\">not full marks</option>")
        .append("<option value=\"ungraded\">not graded</option>")
        .append("</select><span id=\"shown\" class=\"small\"></span></div>\n")
        .append("<p class=\"small\">Click a row for its answer, grade and every agent's output.")
        .append(" Long texts are cut to keep this page small (… +N chars); results.jsonl has them")
        .append(" in full.</p>\n");
    h.append("<div class=\"grid thead\"><span>id</span><span>status</span><span>grade</span>")
        .append("<span class=\"n\">score</span><span class=\"n\">latency</span>")
        .append("<span class=\"n\">tokens</span></div>\n");
    for (ResultLine r : results) {
      row(h, r, agentLimit, answerLimit);
    }
    h.append("</section>\n");
  }

  private static void row(StringBuilder h, ResultLine r, int agentLimit, int answerLimit) {
    ResultLine.GradeInfo g = r.grade();
    List<String> keys = new ArrayList<>();
    keys.add(r.status().toLowerCase(Locale.ROOT));
    if (r.failed()) {
      keys.add("failed");
    }
    if (g != null && g.graded()) {
      keys.add("graded");
      keys.add(g.perfect() ? "perfect" : "imperfect");
    } else {
      keys.add("ungraded");
    }
    String search =
        (r.id() + " " + r.status() + " " + (g == null ? "" : g.grader() + " " + g.status()))
            .toLowerCase(Locale.ROOT);
    h.append("<details class=\"row\" data-k=\"")
        .append(esc(String.join(" ", keys)))
        .append("\" data-s=\"")
        .append(esc(search))
        .append("\"><summary class=\"grid\"><span title=\"line ")
        .append(r.line())
        .append("\">")
        .append(esc(r.id()))
        .append("</span><span><span class=\"badge b-")
        .append(esc(r.status()))
        .append("\">")
        .append(esc(r.status()))
        .append("</span></span><span>");
    if (g == null) {
      h.append("—");
    } else {
      h.append(esc(g.grader()))
          .append(" <span class=\"badge b-")
          .append(esc(g.status()))
          .append("\">")
          .append(esc(g.status()))
          .append("</span>");
    }
    h.append("</span><span class=\"n\">")
        .append(
            g != null && g.graded() ? esc(points(g.score()) + " / " + points(g.maxScore())) : "—")
        .append("</span><span class=\"n\">")
        .append(r.cancelled() ? "—" : group(r.latencyMs()) + " ms")
        .append("</span><span class=\"n\">")
        .append(group(r.promptTokens() + r.completionTokens()))
        .append("</span></summary>\n<div class=\"detail\">");

    h.append("<h3>Answer</h3>");
    pre(h, r.answer(), answerLimit);
    if (!r.errors().isEmpty()) {
      h.append("<h3>Errors</h3><ul class=\"err\">");
      for (String e : r.errors()) {
        h.append("<li>").append(esc(cut(e, DETAILS_MAX))).append("</li>");
      }
      h.append("</ul>");
    }
    if (g != null) {
      h.append("<h3>Grade</h3><small>")
          .append(esc(g.grader()))
          .append(" · ")
          .append(esc(g.status()))
          .append(" · ")
          .append(esc(points(g.score()) + " / " + points(g.maxScore())))
          .append("</small>");
      if (g.reason() != null) {
        h.append("<div>reason: ").append(esc(cut(g.reason(), DETAILS_MAX))).append("</div>");
      }
      if (!g.detailsJson().equals("{}")) {
        pre(h, prettyJson(g.detailsJson()), DETAILS_MAX);
      }
    }
    boolean looped = r.layers().stream().anyMatch(l -> l.round() > 0 || l.verdict() != null);
    if (looped) {
      h.append("<h3>Loop</h3><ol class=\"loop\">");
      for (ResultLine.Layer l : r.layers()) {
        h.append("<li>layer ").append(l.layer()).append(" · round ").append(l.round());
        if (l.verdict() != null) {
          h.append(" · critic: <b>").append(esc(l.verdict())).append("</b>");
        }
        h.append("</li>");
      }
      h.append("</ol>");
    }
    for (ResultLine.Layer l : r.layers()) {
      h.append("<h3>Layer ").append(l.layer());
      if (looped) {
        h.append(" · round ").append(l.round());
      }
      if (l.verdict() != null) {
        h.append(" · verdict ").append(esc(l.verdict()));
      }
      h.append(" <small>slowest ").append(group(l.latencyMs())).append(" ms</small></h3>");
      for (ResultLine.Agent a : l.agents()) {
        agent(h, a, agentLimit);
      }
    }
    if (r.aggregator() != null) {
      h.append("<h3>Aggregator</h3>");
      agent(h, r.aggregator(), agentLimit);
    }
    h.append("</div></details>\n");
  }

  private static void agent(StringBuilder h, ResultLine.Agent a, int limit) {
    h.append(a.failed() ? "<div class=\"ag failed\"><b>" : "<div class=ag><b>")
        .append(esc(a.agent()))
        .append("</b> <small>")
        .append(esc(a.model()))
        .append(" · ")
        .append(a.failed() ? esc(a.status()) + " · " : "")
        .append(group(a.promptTokens()))
        .append("+")
        .append(group(a.completionTokens()))
        .append(" tok · ")
        .append(group(a.latencyMs()))
        .append(" ms (ttft ")
        .append(group(a.ttftMs()))
        .append(")")
        .append(a.cached() ? " · cached" : "")
        .append(a.verdict() != null ? " · " + esc(a.verdict()) : "")
        .append("</small>");
    if (a.error() != null) {
      h.append("<div class=err>").append(esc(cut(a.error(), DETAILS_MAX))).append("</div>");
    }
    if (!a.content().isEmpty()) {
      pre(h, a.content(), limit);
    }
    h.append("</div>");
  }

  private static void pre(StringBuilder h, String text, int limit) {
    if (text.length() > limit) {
      // The stylesheet shows "… +N chars" after a cut text (N from data-more).
      h.append("<pre data-more=").append(text.length() - cutLength(text, limit)).append('>');
    } else {
      h.append("<pre>");
    }
    h.append(esc(cut(text, limit))).append("</pre>");
  }

  private static String prettyJson(String json) {
    try {
      return EvalJson.MAPPER
          .writerWithDefaultPrettyPrinter()
          .writeValueAsString(EvalJson.MAPPER.readTree(json));
    } catch (JacksonException e) {
      return json;
    }
  }

  // ---------------------------------------------------------------- text helpers

  /** HTML-escapes text for element content and quoted attributes; drops control characters. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            default ->
                (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c == '\r'
                    ? (c == '\r' ? "" : "\uFFFD")
                    : null;
          };
      if (rep != null && b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (b != null) {
        if (rep != null) {
          b.append(rep);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? s : b.toString();
  }

  private static int cutLength(String s, int limit) {
    if (s.length() <= limit) {
      return s.length();
    }
    int end = limit;
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  private static String cut(String s, int limit) {
    return s.substring(0, cutLength(s, limit));
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static int clamp(int v, int min, int max) {
    return Math.max(min, Math.min(max, v));
  }

  private static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String group(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  private static String ms(Long v) {
    return v == null ? "—" : group(v) + " ms";
  }

  private static String points(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : fmt(v, 2);
  }

  private static String compact(long v) {
    if (v >= 1_000_000) {
      return fmt(v / 1_000_000.0, 1) + "M";
    }
    if (v >= 10_000) {
      return fmt(v / 1_000.0, 0) + "k";
    }
    return Long.toString(v);
  }

  private static String seconds(long ms) {
    return ms < 1000 ? ms + " ms" : fmt(ms / 1000.0, ms < 10_000 ? 1 : 0) + " s";
  }

  private static String duration(long ms) {
    long s = Math.max(0, ms) / 1000;
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }
    return fmt(Math.max(0, ms) / 1000.0, 1) + " s";
  }
}
