package dev.moa.protocol.shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A critic's reply read as a decision: its last {@code Verdict: ACCEPT|REJECT} line, and an
 * optional {@code Keep: 1, 3} line naming the candidates (numbered as the critic saw them) that go
 * on. A reply without a verdict line is {@link Decision#NONE}, which the barrier treats as
 * acceptance: a critic that cannot be read never loops.
 *
 * @param decision what the critic decided
 * @param keep 1-based candidate numbers to keep; empty: all
 */
public record CriticVerdict(Decision decision, List<Integer> keep) {

  /** What a critic prompt asks for; the simulator's critic answers in this format too. */
  public static final String FORMAT = "Verdict: ACCEPT";

  private static final Pattern VERDICT =
      Pattern.compile("(?im)^\\W*verdict\\W*[:=]\\s*\\**\\s*(accept|reject)\\b");
  private static final Pattern KEEP = Pattern.compile("(?im)^\\W*keep\\W*[:=]\\s*([0-9 ,]+)");

  /** A critic's decision. */
  public enum Decision {
    ACCEPT,
    REJECT,
    NONE
  }

  public CriticVerdict {
    keep = List.copyOf(keep);
  }

  public boolean rejected() {
    return decision == Decision.REJECT;
  }

  public static CriticVerdict parse(String reply) {
    String text = reply == null ? "" : reply;
    Decision decision = Decision.NONE;
    Matcher m = VERDICT.matcher(text);
    while (m.find()) {
      decision = Decision.valueOf(m.group(1).toUpperCase(Locale.ROOT));
    }
    List<Integer> keep = new ArrayList<>();
    Matcher k = KEEP.matcher(text);
    String last = null;
    while (k.find()) {
      last = k.group(1);
    }
    if (last != null) {
      for (String part : last.split("[ ,]+")) {
        if (!part.isEmpty() && part.length() < 4) {
          int n = Integer.parseInt(part);
          if (n >= 1 && !keep.contains(n)) {
            keep.add(n);
          }
        }
      }
    }
    return new CriticVerdict(decision, keep);
  }

  /**
   * The candidates that go on: those named by {@code Keep} that exist, in the critic's order of
   * numbers; all of them when {@code Keep} is absent or names none that exist.
   */
  public <T> List<T> kept(List<T> candidates) {
    List<T> out = new ArrayList<>();
    for (int n : keep) {
      if (n <= candidates.size()) {
        out.add(candidates.get(n - 1));
      }
    }
    return out.isEmpty() ? List.copyOf(candidates) : out;
  }
}
