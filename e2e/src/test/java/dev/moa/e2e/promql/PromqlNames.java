package dev.moa.e2e.promql;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The metric names a PromQL expression selects, found by a small tokenizer: identifiers that are
 * not functions (followed by '('), keywords or aggregation operators, skipping strings, label
 * matchers ({...}, except a {@code __name__} matcher), ranges ([...]) and the label lists of
 * by/without/on/ignoring/group_left/group_right. Grafana variables ($x, ${x}) are skipped.
 */
public final class PromqlNames {

  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset",
          "atan2",
          "inf",
          "nan",
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio",
          "start",
          "end");

  private static final Set<String> LABEL_LIST_KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private PromqlNames() {}

  /** The metric names in {@code expr}, in order of first appearance. */
  public static Set<String> of(String expr) {
    Set<String> names = new LinkedHashSet<>();
    int i = 0;
    int n = expr.length();
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '#') {
        while (i < n && expr.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '{') {
        int end = skipBlock(expr, i, '{', '}');
        nameMatcher(expr.substring(i + 1, end - 1), names);
        i = end;
      } else if (c == '[') {
        i = skipBlock(expr, i, '[', ']');
      } else if (c == '$') {
        i = skipVariable(expr, i);
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
        // Numbers, hex literals and durations (5m, 1h30m, 1e3, 0x1f).
        while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
          i++;
        }
      } else if (isIdentStart(c)) {
        int start = i;
        while (i < n && isIdentPart(expr.charAt(i))) {
          i++;
        }
        String word = expr.substring(start, i);
        int next = skipSpace(expr, i);
        boolean call = next < n && expr.charAt(next) == '(';
        String lower = word.toLowerCase(java.util.Locale.ROOT);
        if (LABEL_LIST_KEYWORDS.contains(lower)) {
          if (call) {
            i = skipBlock(expr, next, '(', ')');
          }
        } else if (!call && !KEYWORDS.contains(lower)) {
          names.add(word);
        }
      } else {
        i++;
      }
    }
    return names;
  }

  private static void nameMatcher(String matchers, Set<String> names) {
    var m =
        java.util.regex.Pattern.compile("__name__\\s*=\\s*([\"'`])([^\"'`]*)\\1").matcher(matchers);
    while (m.find()) {
      names.add(m.group(2));
    }
  }

  private static boolean isIdentStart(char c) {
    return Character.isLetter(c) || c == '_' || c == ':';
  }

  private static boolean isIdentPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int skipString(String s, int i) {
    char quote = s.charAt(i);
    i++;
    while (i < s.length() && s.charAt(i) != quote) {
      if (s.charAt(i) == '\\' && quote != '`') {
        i++;
      }
      i++;
    }
    return Math.min(i + 1, s.length());
  }

  private static int skipVariable(String s, int i) {
    i++;
    if (i < s.length() && s.charAt(i) == '{') {
      int close = s.indexOf('}', i);
      return close < 0 ? s.length() : close + 1;
    }
    while (i < s.length() && isIdentPart(s.charAt(i)) && s.charAt(i) != ':') {
      i++;
    }
    return i;
  }

  /** From an opening bracket to just past its match, skipping strings inside. */
  private static int skipBlock(String s, int i, char open, char close) {
    int depth = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(s, i);
        continue;
      }
      if (c == open) {
        depth++;
      } else if (c == close) {
        depth--;
        if (depth == 0) {
          return i + 1;
        }
      }
      i++;
    }
    throw new IllegalArgumentException("unbalanced '" + open + "' in: " + s);
  }
}
