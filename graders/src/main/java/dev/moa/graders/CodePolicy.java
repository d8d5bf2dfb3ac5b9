package dev.moa.graders;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A first static filter for challenge submissions (the sandbox is the wall): allowed imports only,
 * no exec/eval/compile/__import__/open/input calls, no .system/.popen/.spawn/.call/.run calls, no
 * dunder attribute access.
 */
public final class CodePolicy {
  public static final String DISALLOWED_IMPORT = "disallowed-import";
  public static final String FORBIDDEN_CALL = "forbidden-call";
  public static final String FORBIDDEN_METHOD_CALL = "forbidden-method-call";
  public static final String DUNDER_ACCESS = "dunder-access";

  static final Set<String> ALLOWED_MODULES =
      Set.of("datetime", "heapq", "math", "json", "logging", "typing", "dateutil.parser", "sys");

  /** A refused submission: the rule broken and a human-readable reason. */
  public record Violation(String rule, String reason) {}

  private static final Pattern IMPORT =
      Pattern.compile("(?:^|;)[ \\t]*import[ \\t]+([^;#\\n]+)", Pattern.MULTILINE);
  private static final Pattern FROM_IMPORT =
      Pattern.compile(
          "(?:^|;)[ \\t]*from[ \\t]+([\\w.]+)[ \\t]+import[ \\t]+\\(?([^;#\\n)]+)",
          Pattern.MULTILINE);
  private static final Pattern CALL =
      Pattern.compile("(?<![\\w.])(exec|eval|compile|__import__|open|input)\\s*\\(");
  private static final Pattern METHOD =
      Pattern.compile("\\.\\s*(system|popen\\w*|spawn\\w*|call|run)\\s*\\(");
  private static final Pattern DUNDER = Pattern.compile("\\.\\s*(__\\w+__)");

  private CodePolicy() {}

  public static Optional<Violation> check(String code) {
    Matcher m = IMPORT.matcher(code);
    while (m.find()) {
      for (String part : m.group(1).split(",")) {
        String module = part.strip().split("\\s+")[0];
        if (!allowed(module)) {
          return violation(DISALLOWED_IMPORT, "import of module '" + module + "' is not allowed");
        }
      }
    }
    m = FROM_IMPORT.matcher(code);
    while (m.find()) {
      String module = m.group(1);
      if (module.equals("dateutil")) {
        for (String part : m.group(2).split(",")) {
          String name = part.strip().split("\\s+")[0];
          if (!name.equals("parser")) {
            return violation(DISALLOWED_IMPORT, "import of 'dateutil." + name + "' is not allowed");
          }
        }
      } else if (!allowed(module)) {
        return violation(DISALLOWED_IMPORT, "import from module '" + module + "' is not allowed");
      }
    }
    m = CALL.matcher(code);
    if (m.find()) {
      return violation(FORBIDDEN_CALL, "call of " + m.group(1) + "() is not allowed");
    }
    m = METHOD.matcher(code);
    if (m.find()) {
      return violation(FORBIDDEN_METHOD_CALL, "call of ." + m.group(1) + "() is not allowed");
    }
    m = DUNDER.matcher(code);
    if (m.find()) {
      return violation(DUNDER_ACCESS, "access to attribute ." + m.group(1) + " is not allowed");
    }
    return Optional.empty();
  }

  private static boolean allowed(String module) {
    if (ALLOWED_MODULES.contains(module)) {
      return true;
    }
    int dot = module.indexOf('.');
    String top = dot < 0 ? module : module.substring(0, dot);
    return !top.equals("dateutil") && ALLOWED_MODULES.contains(top);
  }

  private static Optional<Violation> violation(String rule, String reason) {
    return Optional.of(new Violation(rule, reason));
  }
}
