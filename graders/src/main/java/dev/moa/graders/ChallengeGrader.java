package dev.moa.graders;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The seed app's 120-point grader for {@code calculate_user_metrics(users, start_date, end_date)}.
 * Python only reports raw observations; every point is computed here.
 */
public final class ChallengeGrader implements Grader {
  public static final String FUNCTION = "calculate_user_metrics";
  public static final double MAX = 120;
  static final String START = "2024-01-01";
  static final String END = "2024-01-31";

  /**
   * Expected average for the "correct average" check, from the stated formula: only the active user
   * (10 posts, 5 comments, 20 likes, 10 days) counts: (20 + 7.5 + 2) / 10.
   */
  static final double EXPECTED_AVERAGE = engagement(10, 5, 20, 10);

  /** Signatures of the classic mistake (raw score averaged over all users incl. inactive). */
  static final List<Double> WRONG_AVERAGES = List.of((10 * 2 + 5 * 1.5 + 20 * 0.1) / 2, 13.75);

  private final BwrapSandbox sandbox;

  public ChallengeGrader(BwrapSandbox sandbox) {
    this.sandbox = sandbox;
  }

  @Override
  public String type() {
    return "challenge";
  }

  static double engagement(double posts, double comments, double likes, double days) {
    return (posts * 2 + comments * 1.5 + likes * 0.1) / days;
  }

  public static String letter(double total) {
    if (total >= 108) {
      return "A";
    } else if (total >= 96) {
      return "B";
    } else if (total >= 84) {
      return "C";
    } else if (total >= 72) {
      return "D";
    }
    return "F";
  }

  /** The challenge takes no options and ignores the target (its tests are fixed). */
  @Override
  public void validate(String optionsJson, String targetJson) {
    Json.options(optionsJson, java.util.Set.of());
  }

  @Override
  public GradeResult grade(String answer, String optionsJson, String targetJson) {
    validate(optionsJson, targetJson);
    Optional<String> code = CodeExtractor.extract(answer, FUNCTION);
    if (code.isEmpty()) {
      return zero(Map.of("reason", "no Python code block or def " + FUNCTION + " found"));
    }
    Optional<CodePolicy.Violation> violation = CodePolicy.check(code.get());
    if (violation.isPresent()) {
      return zero(Map.of("refused", violation.get().rule(), "reason", violation.get().reason()));
    }
    BwrapSandbox.Outcome outcome = sandbox.run("challenge", code.get(), plan());
    if (outcome instanceof BwrapSandbox.Unavailable u) {
      return new GradeResult.Failed(u.reason());
    }
    if (outcome instanceof BwrapSandbox.Broken b) {
      return zero(Map.of("reason", "sandbox run failed: " + b.reason()));
    }
    return score(((BwrapSandbox.Completed) outcome).observations());
  }

  private static GradeResult zero(Map<String, Object> details) {
    Map<String, Object> d = new LinkedHashMap<>(details);
    d.put("total", 0.0);
    d.put("letter", "F");
    return new GradeResult.Scored(0, MAX, d);
  }

  // ---- the test plan ----

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  static ObjectNode user(String login, Object posts, int comments, int likes, int days) {
    ObjectNode u = F.objectNode();
    u.put("last_login", login);
    if (posts == null) {
      u.putNull("posts");
    } else if (posts instanceof Integer i) {
      u.put("posts", i);
    } else {
      u.put("posts", posts.toString());
    }
    u.put("comments", comments);
    u.put("likes", likes);
    u.put("days_active", days);
    return u;
  }

  private static ArrayNode users(ObjectNode... us) {
    ArrayNode a = F.arrayNode();
    for (ObjectNode u : us) {
      a.add(u);
    }
    return a;
  }

  private static ArrayNode normalUsers() {
    return users(user("2024-01-15", 10, 5, 100, 30), user("2024-01-10", 5, 8, 50, 20));
  }

  private static ArrayNode missingKeyUsers() {
    ObjectNode u = F.objectNode();
    u.put("last_login", "2024-01-15");
    u.put("posts", 10);
    return users(u);
  }

  static ObjectNode plan() {
    ObjectNode plan = F.objectNode();
    plan.put("function", FUNCTION);
    ArrayNode calls = plan.putArray("calls");
    add(calls, "gate_normal", normalUsers());
    add(calls, "gate_empty", users());
    add(calls, "gate_zero_days", users(user("2024-01-15", 10, 5, 100, 0)));
    add(calls, "gate_missing_keys", missingKeyUsers());
    add(calls, "division_by_zero", users(user("2024-01-15", 10, 5, 20, 0)));
    add(calls, "empty_list", users());
    add(calls, "missing_keys", missingKeyUsers());
    add(
        calls,
        "correct_average",
        users(user("2023-12-15", 100, 50, 200, 30), user("2024-01-15", 10, 5, 20, 10)));
    add(
        calls,
        "sorting",
        users(
            user("2024-01-15", 1, 1, 1, 1),
            user("2024-01-16", 10, 10, 10, 1),
            user("2024-01-17", 5, 5, 5, 1)));
    add(calls, "no_active_users", users(user("2023-12-15", 10, 5, 20, 10)));
    add(calls, "no_mutation", normalUsers());
    add(calls, "fewer_than_five", normalUsers());
    addCall(calls, "invalid_dates", normalUsers(), END, START);
    add(calls, "robust_none", users(user("2024-01-15", null, 5, 20, 10)));
    add(calls, "robust_negative", users(user("2024-01-15", -5, 5, 20, 10)));
    add(calls, "robust_string", users(user("2024-01-15", "10", 5, 20, 10)));
    ArrayNode hundred = F.arrayNode();
    for (int i = 0; i < 100; i++) {
      hundred.add(user("2024-01-15", i, i, i, 10));
    }
    add(calls, "top_five", hundred);
    return plan;
  }

  private static void add(ArrayNode calls, String id, ArrayNode users) {
    addCall(calls, id, users, START, END);
  }

  private static void addCall(ArrayNode calls, String id, ArrayNode users, String s, String e) {
    ObjectNode c = calls.addObject();
    c.put("id", id);
    ArrayNode args = c.putArray("args");
    args.add(users);
    args.add(s);
    args.add(e);
  }

  // ---- scoring (all arithmetic is here) ----

  /** One check's outcome. */
  record Check(String name, int points, int max, String reason) {}

  static GradeResult score(JsonNode obs) {
    ObjectNode plan = plan();
    Map<String, JsonNode> calls = new LinkedHashMap<>();
    for (JsonNode c : obs.path("calls")) {
      calls.put(c.path("id").asString(""), c);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    if (!obs.path("load").path("ok").asBoolean(false)) {
      details.put("load_error", obs.path("load").path("error").asString(""));
    }
    Map<String, Object> gate = new LinkedHashMap<>();
    int gatePassed = 0;
    for (String id : List.of("gate_normal", "gate_empty", "gate_zero_days", "gate_missing_keys")) {
      JsonNode c = calls.get(id);
      JsonNode r = result(c);
      boolean pass =
          r != null
              && r.isObject()
              && r.has("average_engagement")
              && r.has("top_performers")
              && r.has("active_count")
              && (!id.equals("gate_empty") || isZero(r.get("active_count")));
      gate.put(id, pass ? "passed" : "failed: " + why(c, r));
      if (pass) {
        gatePassed++;
      }
    }
    details.put("gate", gate);
    details.put("gate_passed", gatePassed);
    if (gatePassed < 2) {
      details.put("reason", "gate failed: only " + gatePassed + " of 4 unit tests passed");
      details.put("total", 0.0);
      details.put("letter", "F");
      return new GradeResult.Scored(0, MAX, details);
    }
    List<Check> checks = new ArrayList<>();
    checks.add(divisionByZero(calls.get("division_by_zero")));
    checks.add(emptyList(calls.get("empty_list")));
    checks.add(missingKeys(calls.get("missing_keys")));
    checks.add(correctAverage(calls.get("correct_average")));
    checks.add(sorting(calls.get("sorting")));
    checks.add(noActive(calls.get("no_active_users")));
    checks.add(noMutation(calls.get("no_mutation"), argsOf(plan, "no_mutation")));
    checks.add(fewerThanFive(calls.get("fewer_than_five")));
    checks.add(invalidDates(calls.get("invalid_dates")));
    checks.add(
        robustness(
            calls.get("robust_none"), calls.get("robust_negative"), calls.get("robust_string")));
    checks.add(topFive(calls.get("top_five")));
    int total = 0;
    Map<String, Object> checkDetails = new LinkedHashMap<>();
    for (Check c : checks) {
      total += c.points();
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("points", c.points());
      d.put("max", c.max());
      if (c.points() < c.max()) {
        d.put("reason", c.reason());
      }
      checkDetails.put(c.name(), d);
    }
    details.put("checks", checkDetails);
    details.put("total", (double) total);
    details.put("letter", letter(total));
    return new GradeResult.Scored(total, MAX, details);
  }

  private static JsonNode argsOf(ObjectNode plan, String id) {
    for (JsonNode c : plan.path("calls")) {
      if (c.path("id").asString("").equals(id)) {
        return c.path("args");
      }
    }
    throw new IllegalStateException(id);
  }

  private static boolean raised(JsonNode call) {
    return call == null || !call.path("ok").asBoolean(false);
  }

  private static JsonNode result(JsonNode call) {
    return raised(call) ? null : call.path("result");
  }

  private static String why(JsonNode call, JsonNode r) {
    if (call == null) {
      return "not run";
    }
    if (raised(call)) {
      return "raised " + call.path("error").asString("an exception");
    }
    return "returned " + abbreviate(String.valueOf(r));
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static boolean isZero(JsonNode n) {
    return n != null && n.isNumber() && n.doubleValue() == 0;
  }

  private static boolean near(JsonNode n, double v) {
    return n != null && n.isNumber() && Math.abs(n.doubleValue() - v) <= 0.01;
  }

  private static Check divisionByZero(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("division_by_zero", 0, 20, "days_active 0: " + why(c, r));
    }
    if (r.isObject() && r.has("average_engagement")) {
      return new Check("division_by_zero", 20, 20, null);
    }
    return new Check("division_by_zero", 5, 20, "no dict with average_engagement: " + why(c, r));
  }

  private static Check emptyList(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("empty_list", 0, 15, "[]: " + why(c, r));
    }
    if (r.isObject() && isZero(r.get("active_count"))) {
      return new Check("empty_list", 15, 15, null);
    }
    return new Check("empty_list", 5, 15, "active_count is not 0: " + why(c, r));
  }

  private static Check missingKeys(JsonNode c) {
    if (raised(c)) {
      return new Check("missing_keys", 0, 15, "user without some keys: " + why(c, null));
    }
    return new Check("missing_keys", 15, 15, null);
  }

  private static Check correctAverage(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("correct_average", 0, 15, why(c, r));
    }
    JsonNode avg = r.isObject() ? r.get("average_engagement") : null;
    if (near(avg, EXPECTED_AVERAGE)) {
      return new Check("correct_average", 15, 15, null);
    }
    for (double wrong : WRONG_AVERAGES) {
      if (near(avg, wrong)) {
        return new Check(
            "correct_average",
            0,
            15,
            "average_engagement "
                + avg
                + " counts the inactive user (expected "
                + EXPECTED_AVERAGE
                + ")");
      }
    }
    return new Check(
        "correct_average",
        5,
        15,
        "average_engagement " + avg + " is not " + EXPECTED_AVERAGE + " ± 0.01");
  }

  private static JsonNode topPerformers(JsonNode r) {
    if (r == null || !r.isObject()) {
      return null;
    }
    JsonNode t = r.get("top_performers");
    return t != null && t.isArray() ? t : null;
  }

  private static boolean postsEquals(JsonNode user, double v) {
    return user != null
        && user.isObject()
        && user.path("posts").isNumber()
        && user.path("posts").doubleValue() == v;
  }

  private static Check sorting(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("sorting", 0, 10, why(c, r));
    }
    JsonNode top = topPerformers(r);
    if (top != null && !top.isEmpty() && postsEquals(top.get(0), 10)) {
      return new Check("sorting", 10, 10, null);
    }
    if (top == null || top.isEmpty()) {
      return new Check("sorting", 0, 10, "top_performers is missing or empty");
    }
    if (postsEquals(top.get(top.size() - 1), 10)) {
      return new Check("sorting", 0, 10, "the most engaged user is last (ascending order)");
    }
    return new Check("sorting", 5, 10, "the most engaged user is not first");
  }

  private static Check noActive(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("no_active_users", 0, 10, why(c, r));
    }
    if (r.isObject() && isZero(r.get("active_count")) && isZero(r.get("average_engagement"))) {
      return new Check("no_active_users", 10, 10, null);
    }
    return new Check(
        "no_active_users", 5, 10, "expected active_count 0 and average_engagement 0: " + why(c, r));
  }

  private static Check noMutation(JsonNode c, JsonNode argsSent) {
    if (raised(c)) {
      return new Check("no_mutation", 0, 8, why(c, null));
    }
    if (argsSent.get(0).equals(c.path("args_after").path(0))) {
      return new Check("no_mutation", 8, 8, null);
    }
    return new Check(
        "no_mutation",
        0,
        8,
        "input users were modified: " + abbreviate(String.valueOf(c.path("args_after").path(0))));
  }

  private static Check fewerThanFive(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("fewer_than_five", 0, 5, why(c, r));
    }
    JsonNode top = topPerformers(r);
    if (top != null && top.size() == 2) {
      return new Check("fewer_than_five", 5, 5, null);
    }
    return new Check(
        "fewer_than_five",
        0,
        5,
        "two active users should give 2 top performers, got "
            + (top == null ? "none" : String.valueOf(top.size())));
  }

  private static Check invalidDates(JsonNode c) {
    if (raised(c)) {
      return new Check("invalid_dates", 2, 5, "start after end: " + why(c, null));
    }
    JsonNode r = result(c);
    if (r.isObject() && isZero(r.get("active_count"))) {
      return new Check("invalid_dates", 5, 5, null);
    }
    return new Check(
        "invalid_dates", 3, 5, "start after end should give active_count 0: " + why(c, r));
  }

  private static Check robustness(JsonNode... cs) {
    int ok = 0;
    List<String> failures = new ArrayList<>();
    String[] labels = {"posts=None", "posts=-5", "posts=\"10\""};
    for (int i = 0; i < cs.length; i++) {
      if (raised(cs[i])) {
        failures.add(labels[i] + " " + why(cs[i], null));
      } else {
        ok++;
      }
    }
    int points =
        switch (ok) {
          case 3 -> 7;
          case 2 -> 4;
          case 1 -> 2;
          default -> 0;
        };
    return new Check("robustness", points, 7, String.join("; ", failures));
  }

  private static Check topFive(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("top_five", 0, 10, why(c, r));
    }
    JsonNode top = topPerformers(r);
    if (top == null) {
      return new Check("top_five", 2, 10, "top_performers is missing (fewer than five)");
    }
    if (top.size() > 5) {
      return new Check("top_five", 0, 10, "more than five top performers: " + top.size());
    }
    if (top.size() < 5) {
      return new Check("top_five", 2, 10, "fewer than five top performers: " + top.size());
    }
    List<Double> posts = new ArrayList<>();
    for (JsonNode u : top) {
      posts.add(u.path("posts").isNumber() ? u.path("posts").doubleValue() : null);
    }
    if (posts.equals(List.of(99.0, 98.0, 97.0, 96.0, 95.0))) {
      return new Check("top_five", 10, 10, null);
    }
    if (posts.stream().distinct().count() == 5 && posts.contains(99.0)) {
      return new Check("top_five", 8, 10, "top five not in descending order: " + posts);
    }
    return new Check("top_five", 3, 10, "wrong top five (posts " + posts + ")");
  }
}
