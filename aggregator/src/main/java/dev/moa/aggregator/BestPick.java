package dev.moa.aggregator;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a best_of_n judge's pick: its last {@code Best: N} line. */
final class BestPick {

  private static final Pattern BEST =
      Pattern.compile("(?im)^\\W*best\\W*[:=]\\s*\\**\\s*#?(\\d{1,3})\\b");

  private BestPick() {}

  /** The 1-based candidate the judge picked, or 0 when it named none of 1..candidates. */
  static int parse(String reply, int candidates) {
    if (reply == null) {
      return 0;
    }
    Matcher m = BEST.matcher(reply);
    int pick = 0;
    while (m.find()) {
      pick = Integer.parseInt(m.group(1));
    }
    return pick >= 1 && pick <= candidates ? pick : 0;
  }
}
