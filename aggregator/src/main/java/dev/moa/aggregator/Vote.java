package dev.moa.aggregator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A majority vote over the candidates' extracted answers, in place of an aggregator call. The
 * answer of a candidate is the last match of the config's {@code vote_pattern} (its first group,
 * else the whole match); without a pattern: the last {@code \boxed{...}}, else the last {@code
 * Answer: ...}, else the last non-empty line. Answers are compared normalised (case, spaces,
 * trailing punctuation); a candidate without one abstains. A tie goes to the answer given first.
 *
 * @param answer the winning answer as extracted from its first candidate (null: nobody voted)
 * @param votes how many candidates gave it
 * @param voters how many candidates gave any answer
 * @param total how many candidates there were
 * @param winner index of the first candidate that gave the winning answer (-1: none)
 * @param tally normalised answer to its votes, in order of first appearance
 */
public record Vote(
    String answer, int votes, int voters, int total, int winner, Map<String, Integer> tally) {

  private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*)\\}");
  private static final Pattern ANSWER =
      Pattern.compile("(?im)^\\W*(?:final\\s+)?answer\\s*(?::|is)\\s*(.+)$");

  public static Vote of(List<String> candidates, String pattern) {
    Pattern custom = pattern == null ? null : Pattern.compile(pattern);
    Map<String, Integer> tally = new LinkedHashMap<>();
    Map<String, Integer> first = new LinkedHashMap<>();
    Map<String, String> shown = new LinkedHashMap<>();
    int voters = 0;
    for (int i = 0; i < candidates.size(); i++) {
      String extracted = extract(candidates.get(i), custom);
      if (extracted == null) {
        continue;
      }
      String key = normalise(extracted);
      if (key.isEmpty()) {
        continue;
      }
      voters++;
      tally.merge(key, 1, Integer::sum);
      first.putIfAbsent(key, i);
      shown.putIfAbsent(key, extracted.strip());
    }
    String best = null;
    for (Map.Entry<String, Integer> e : tally.entrySet()) {
      if (best == null || e.getValue() > tally.get(best)) {
        best = e.getKey(); // strictly more: a tie keeps the earlier answer
      }
    }
    return best == null
        ? new Vote(null, 0, 0, candidates.size(), -1, tally)
        : new Vote(
            shown.get(best), tally.get(best), voters, candidates.size(), first.get(best), tally);
  }

  /** The candidate's answer, or null when it gives none. */
  static String extract(String text, Pattern custom) {
    if (text == null) {
      return null;
    }
    if (custom != null) {
      Matcher m = custom.matcher(text);
      String found = null;
      while (m.find()) {
        found = m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group();
      }
      return found;
    }
    String found = last(BOXED.matcher(text));
    if (found == null) {
      found = last(ANSWER.matcher(text));
    }
    if (found == null) {
      List<String> lines = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
      found = lines.isEmpty() ? null : lines.get(lines.size() - 1);
    }
    return found;
  }

  private static String last(Matcher m) {
    String found = null;
    while (m.find()) {
      found = m.group(1);
    }
    return found;
  }

  static String normalise(String answer) {
    return answer
        .toLowerCase(Locale.ROOT)
        .replace("*", "")
        .replaceAll("\\s+", " ")
        .strip()
        .replaceAll("[.!?,;:]+$", "")
        .strip();
  }

  /** One line for reports: {@code vote: 3 of 5 for "42" (42: 3, 41: 2)}. */
  public String summary() {
    if (answer == null) {
      return "vote: none of " + total + " candidates gave an answer";
    }
    StringBuilder s =
        new StringBuilder("vote: " + votes + " of " + total + " for \"" + answer + "\" (");
    int n = 0;
    for (Map.Entry<String, Integer> e : tally.entrySet()) {
      s.append(n++ == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue());
    }
    return s.append(')').toString();
  }
}
