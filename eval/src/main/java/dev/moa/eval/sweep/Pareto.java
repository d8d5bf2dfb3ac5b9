package dev.moa.eval.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Pareto front over score (higher is better), tokens and latency (lower is better): the points
 * no other point dominates. A point dominates another when it is at least as good in all three and
 * strictly better in one; equal points are both on the front.
 */
public final class Pareto {

  /**
   * One configuration's position.
   *
   * @param score mean score (0..1); null when nothing was graded (never on the front)
   * @param tokens mean tokens per sample
   * @param latencyMs latency per sample (p50); null when unknown (never on the front)
   */
  public record Point(String id, Double score, double tokens, Long latencyMs) {
    public Point {
      Objects.requireNonNull(id, "id");
    }

    boolean measured() {
      return score != null && latencyMs != null;
    }

    /** This point is at least as good everywhere and better somewhere. */
    boolean dominates(Point o) {
      boolean noWorse = score >= o.score && tokens <= o.tokens && latencyMs <= o.latencyMs;
      boolean better = score > o.score || tokens < o.tokens || latencyMs < o.latencyMs;
      return noWorse && better;
    }
  }

  private Pareto() {}

  /** The ids of the points on the front, in input order. */
  public static List<String> front(List<Point> points) {
    List<String> out = new ArrayList<>();
    for (Point p : points) {
      if (!p.measured()) {
        continue;
      }
      boolean dominated = false;
      for (Point q : points) {
        if (q != p && q.measured() && q.dominates(p)) {
          dominated = true;
          break;
        }
      }
      if (!dominated) {
        out.add(p.id());
      }
    }
    return out;
  }
}
