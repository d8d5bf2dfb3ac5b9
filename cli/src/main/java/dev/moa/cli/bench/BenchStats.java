package dev.moa.cli.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pure helpers of the benchmarks: percentiles, /proc status parsing, Prometheus text. */
final class BenchStats {

  private BenchStats() {}

  /** Nearest-rank percentile ({@code p} in 0..100) of the values; NaN for none. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  /** Element-wise a[i] / b[i]. */
  static double[] ratios(double[] a, double[] b) {
    double[] out = new double[Math.min(a.length, b.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = a[i] / b[i];
    }
    return out;
  }

  private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+)\\s+kB\\s*$");

  /** Resident set size in bytes from the text of {@code /proc/PID/status}; -1 if absent. */
  static long rssBytes(String procStatus) {
    Matcher m = VM_RSS.matcher(procStatus);
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /**
   * The sum of every sample of {@code metric} in Prometheus text exposition whose labels include
   * all of {@code labels}; NaN if there is none.
   */
  static double prometheusSum(String text, String metric, Map<String, String> labels) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.trim());
      if (!m.matches() || !m.group(1).equals(metric)) {
        continue;
      }
      if (!labels.isEmpty()) {
        String labelText = m.group(3) == null ? "" : m.group(3);
        Map<String, String> have = new java.util.HashMap<>();
        Matcher l = LABEL.matcher(labelText);
        while (l.find()) {
          have.put(l.group(1), l.group(2));
        }
        if (!labels.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())))) {
          continue;
        }
      }
      sum += Double.parseDouble(m.group(4));
      found = true;
    }
    return found ? sum : Double.NaN;
  }
}
