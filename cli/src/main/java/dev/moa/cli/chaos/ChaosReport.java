package dev.moa.cli.chaos;

import dev.moa.cli.bench.BenchReport;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one chaos run measured. {@code lost}: submitted requests without a final answer; {@code
 * duplicated}: requests with more than one final answer, both as a read_committed consumer of
 * moa.answers sees them. A FAILED final answer is an answer (the pipeline gave up on the request
 * with a reason, e.g. the aggregator's call failed on every attempt); {@code failureReasons} counts
 * them by reason.
 */
record ChaosReport(
    int requests,
    long submitted,
    long answersSucceeded,
    long answersFailed,
    long answerRecords,
    Map<String, Long> failureReasons,
    long gradedRequests,
    long gradeRecords,
    long lost,
    long duplicated,
    Map<String, Long> faultsInjected,
    Map<String, Long> retriesByCause,
    Map<String, Long> dltRecords,
    List<Kill> kills,
    double startupSeconds,
    double wallTimeSeconds,
    String faults,
    long seed) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * One SIGKILL and restart: the victim, its pids, answers seen before it, when (seconds after the
   * start) and how long until the new process was ready.
   */
  record Kill(
      String target,
      long killedPid,
      long restartedPid,
      long answersBefore,
      double atSeconds,
      double downSeconds) {}

  long finalAnswers() {
    return answersSucceeded + answersFailed;
  }

  long dltTotal() {
    return dltRecords.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Nothing lost, nothing duplicated, every planned kill done. */
  boolean passed(int plannedKills) {
    return lost == 0 && duplicated == 0 && kills.size() == plannedKills;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requests_submitted", submitted);
    m.put("final_answers", finalAnswers());
    m.put("answers_succeeded", answersSucceeded);
    m.put("answers_failed", answersFailed);
    m.put("answer_records", answerRecords);
    m.put("failure_reasons", new TreeMap<>(failureReasons));
    m.put("grades", gradedRequests);
    m.put("grade_records", gradeRecords);
    m.put("lost", lost);
    m.put("duplicated", duplicated);
    m.put("faults_injected", faultsInjected);
    m.put("retries_by_cause", new TreeMap<>(retriesByCause));
    m.put("dlt_records", dltTotal());
    m.put("dlt_records_by_topic", new TreeMap<>(dltRecords));
    List<Map<String, Object>> ks =
        kills.stream()
            .map(
                k -> {
                  Map<String, Object> km = new LinkedHashMap<>();
                  km.put("target", k.target());
                  km.put("killed_pid", k.killedPid());
                  km.put("restarted_pid", k.restartedPid());
                  km.put("answers_before", k.answersBefore());
                  km.put("at_s", BenchReport.round(k.atSeconds()));
                  km.put("down_s", BenchReport.round(k.downSeconds()));
                  return km;
                })
            .toList();
    m.put("kills", ks);
    m.put("startup_s", BenchReport.round(startupSeconds));
    m.put("wall_time_s", BenchReport.round(wallTimeSeconds));
    m.put("requests", requests);
    m.put("faults", faults);
    m.put("seed", seed);
    return m;
  }

  String toJson() {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toMap());
  }

  void printTable(PrintStream out) {
    out.println("chaos (" + requests + " requests, faults " + faults + ", seed " + seed + ")");
    row(out, "requests submitted", submitted);
    row(
        out,
        "final answers",
        finalAnswers() + " (" + answersSucceeded + " succeeded, " + answersFailed + " failed)");
    if (!failureReasons.isEmpty()) {
      row(out, "failure reasons", new TreeMap<>(failureReasons));
    }
    row(out, "grades", gradedRequests + " requests graded (" + gradeRecords + " grade records)");
    row(out, "lost", lost);
    row(out, "duplicated", duplicated);
    row(out, "faults injected", faultsInjected);
    row(out, "retries by cause", new TreeMap<>(retriesByCause));
    row(out, "DLT records", dltTotal() + (dltTotal() == 0 ? "" : " " + new TreeMap<>(dltRecords)));
    row(
        out,
        "wall time",
        String.format(
            "%.1f s (%.1f s to start the cluster and services)", wallTimeSeconds, startupSeconds));
    for (Kill k : kills) {
      out.printf(
          "  killed %-15s at %5.1f s, pid %d -> restarted pid %d (after %d answers; down %.1f s)%n",
          k.target(),
          k.atSeconds(),
          k.killedPid(),
          k.restartedPid(),
          k.answersBefore(),
          k.downSeconds());
    }
  }

  private static void row(PrintStream out, String name, Object value) {
    out.printf("  %-20s %s%n", name, value);
  }

  void print(boolean json, PrintStream out) {
    if (json) {
      out.println(toJson());
    } else {
      printTable(out);
    }
  }

  /**
   * {@code moa_retries_total} of one Prometheus text exposition, summed by {@code cause} over
   * providers and models.
   */
  static Map<String, Long> retriesByCause(String prometheusText) {
    Map<String, Long> byCause = new TreeMap<>();
    for (String line : prometheusText.split("\n")) {
      if (!line.startsWith("moa_retries_total{")) {
        continue;
      }
      int close = line.lastIndexOf('}');
      String labels = line.substring("moa_retries_total{".length(), close);
      String cause = label(labels, "cause");
      double value = Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
      byCause.merge(cause == null ? "unknown" : cause, Math.round(value), Long::sum);
    }
    return byCause;
  }

  private static String label(String labels, String name) {
    String key = name + "=\"";
    int at = labels.startsWith(key) ? 0 : labels.indexOf("," + key);
    if (at < 0) {
      return null;
    }
    int start = labels.indexOf(key, at) + key.length();
    int end = labels.indexOf('"', start);
    return end < 0 ? null : labels.substring(start, end);
  }
}
