package dev.moa.graders;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.NullNode;
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
   * Expected average for the "correct average" check, as the seed grader executes it: only the
   * active user (10 posts, 5 comments, 20 likes, 10 days) counts: (20 + 7.5 + 2) / 10 = 2.95. (The
   * seed's comments say 27.5 and 2.75; its code computes 29.5 and 2.95. See decision 009.)
   */
  static final double EXPECTED_AVERAGE = engagement(10, 5, 20, 10);

  /**
   * The seed's signature of the classic mistake, {@code expected_score / len(test_users)}: the raw
   * score averaged over both users, inactive one included: 29.5 / 2 = 14.75. Zero points; any other
   * wrong value gets the partial 5.
   */
  static final double WRONG_AVERAGE = (10 * 2 + 5 * 1.5 + 20 * 0.1) / 2;

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

  /**
   * A correct {@code calculate_user_metrics} (120 points, letter A): the reference for tests,
   * benchmarks and anyone checking the grader.
   */
  public static String referenceSolution() {
    try (java.io.InputStream in =
        ChallengeGrader.class.getResourceAsStream("challenge/reference_solution.py")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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
    Json.options(optionsJson, Set.of());
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

  /** The fixed test plan (built once; never modified after). */
  private static final ObjectNode PLAN = buildPlan();

  static ObjectNode plan() {
    return PLAN;
  }

  private static ObjectNode buildPlan() {
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
    // The seed's inputs for the checks below.
    add(calls, "no_mutation", users(user("2024-01-15", 10, 5, 20, 10)));
    add(
        calls,
        "fewer_than_five",
        users(user("2024-01-15", 10, 5, 20, 10), user("2024-01-16", 5, 3, 15, 5)));
    addCall(calls, "invalid_dates", users(user("2024-01-15", 10, 5, 20, 10)), END, START);
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
    if (r.isObject() && pyEquals(pyGet(r, "active_count"), 0)) {
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
    if (!r.isObject()) {
      return new Check("correct_average", 0, 15, "result is not a dict: " + why(c, r));
    }
    JsonNode node = r.get("average_engagement");
    Double avg = node == null ? Double.valueOf(0) : pyNumber(node);
    if (avg == null) {
      return new Check("correct_average", 0, 15, "average_engagement " + node + " is not a number");
    }
    if (Math.abs(avg - EXPECTED_AVERAGE) < 0.01) {
      return new Check("correct_average", 15, 15, null);
    }
    if (Math.abs(avg - WRONG_AVERAGE) < 0.01) {
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
    return new Check(
        "correct_average",
        5,
        15,
        "average_engagement " + avg + " is not " + EXPECTED_AVERAGE + " ± 0.01");
  }

  private static Check sorting(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("sorting", 0, 10, why(c, r));
    }
    if (!r.isObject()) {
      return new Check("sorting", 0, 10, "result is not a dict: " + why(c, r));
    }
    JsonNode top = topPerformers(r);
    Integer n = pyLen(top);
    if (n == null || n == 0) {
      return new Check("sorting", 0, 10, "no top performers returned: " + top);
    }
    if (!top.isArray() || !top.get(0).isObject()) {
      return new Check("sorting", 0, 10, "top_performers is not a list of dicts: " + top);
    }
    if (pyEquals(pyGet(top.get(0), "posts"), 10)) {
      return new Check("sorting", 10, 10, null);
    }
    JsonNode last = top.get(top.size() - 1);
    if (!last.isObject()) {
      return new Check("sorting", 0, 10, "top_performers is not a list of dicts: " + top);
    }
    if (pyEquals(pyGet(last, "posts"), 10)) {
      return new Check("sorting", 0, 10, "the most engaged user is last (ascending order)");
    }
    return new Check("sorting", 5, 10, "the most engaged user is not first");
  }

  private static Check noActive(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("no_active_users", 0, 10, why(c, r));
    }
    if (!r.isObject()) {
      return new Check("no_active_users", 0, 10, "result is not a dict: " + why(c, r));
    }
    if (pyEquals(pyGet(r, "active_count"), 0) && pyEquals(pyGet(r, "average_engagement"), 0)) {
      return new Check("no_active_users", 10, 10, null);
    }
    return new Check(
        "no_active_users", 5, 10, "expected active_count 0 and average_engagement 0: " + why(c, r));
  }

  /** Like the seed, compares the first input user after the call with the one sent. */
  private static Check noMutation(JsonNode c, JsonNode argsSent) {
    if (raised(c)) {
      return new Check("no_mutation", 0, 8, why(c, null));
    }
    JsonNode before = argsSent.path(0).path(0);
    JsonNode after = c.path("args_after").path(0).path(0);
    if (after.isObject() && after.has("engagement_score")) {
      return new Check(
          "no_mutation", 0, 8, "the input user got an engagement_score: " + abbreviate(after + ""));
    }
    if (pyDeepEquals(before, after)) {
      return new Check("no_mutation", 8, 8, null);
    }
    return new Check(
        "no_mutation", 0, 8, "the input user was modified: " + abbreviate(String.valueOf(after)));
  }

  private static Check fewerThanFive(JsonNode c) {
    JsonNode r = result(c);
    if (r == null) {
      return new Check("fewer_than_five", 0, 5, why(c, r));
    }
    if (!r.isObject()) {
      return new Check("fewer_than_five", 0, 5, "result is not a dict: " + why(c, r));
    }
    Integer n = pyLen(topPerformers(r));
    if (n != null && n == 2) {
      return new Check("fewer_than_five", 5, 5, null);
    }
    return new Check(
        "fewer_than_five",
        0,
        5,
        "two active users should give 2 top performers, got "
            + (n == null ? topPerformers(r).toString() : String.valueOf(n)));
  }

  private static Check invalidDates(JsonNode c) {
    if (raised(c)) {
      return new Check("invalid_dates", 2, 5, "start after end: " + why(c, null));
    }
    JsonNode r = result(c);
    if (!r.isObject()) {
      // the seed's result.get(...) raises on a non-dict inside its try: the "crashes" partial 2
      return new Check("invalid_dates", 2, 5, "result is not a dict: " + why(c, r));
    }
    if (pyEquals(pyGet(r, "active_count"), 0)) {
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
    if (!r.isObject()) {
      return new Check("top_five", 0, 10, "result is not a dict: " + why(c, r));
    }
    JsonNode top = topPerformers(r);
    Integer n = pyLen(top);
    if (n == null) {
      return new Check("top_five", 0, 10, "top_performers has no length: " + top);
    }
    if (n > 5) {
      return new Check("top_five", 0, 10, "more than five top performers: " + n);
    }
    if (n < 5) {
      return new Check("top_five", 2, 10, "fewer than five top performers: " + n);
    }
    List<JsonNode> posts = new ArrayList<>();
    for (JsonNode u : top.isArray() ? top : List.<JsonNode>of()) {
      if (!u.isObject()) {
        break;
      }
      JsonNode p = u.get("posts");
      posts.add(p == null ? IntNode.valueOf(0) : p);
    }
    if (posts.size() != 5) {
      return new Check("top_five", 0, 10, "top_performers is not a list of dicts: " + top);
    }
    List<Double> values = posts.stream().map(ChallengeGrader::pyNumber).toList();
    if (values.equals(List.of(99.0, 98.0, 97.0, 96.0, 95.0))) {
      return new Check("top_five", 10, 10, null);
    }
    if (values.contains(99.0)) {
      Set<Object> distinct = new HashSet<>();
      for (JsonNode p : posts) {
        if (p.isContainer()) {
          return new Check("top_five", 0, 10, "unhashable posts in the top five: " + posts);
        }
        distinct.add(pyNumber(p) != null ? (Object) pyNumber(p) : p);
      }
      if (distinct.size() == 5) {
        return new Check("top_five", 8, 10, "top five not in descending order: " + posts);
      }
    }
    return new Check("top_five", 3, 10, "wrong top five (posts " + posts + ")");
  }

  // ---- Python semantics of the seed's checks, on the values the harness reported ----

  /** {@code result.get('top_performers', [])} of a dict result. */
  private static JsonNode topPerformers(JsonNode r) {
    JsonNode t = r.get("top_performers");
    return t == null ? JsonNodeFactory.instance.arrayNode() : t;
  }

  /** {@code d.get(key)}: the value, or null (Python None) when absent. */
  private static JsonNode pyGet(JsonNode d, String key) {
    JsonNode v = d.get(key);
    return v == null ? NullNode.getInstance() : v;
  }

  /** The numeric value Python compares with (a bool is an int), or null for non-numbers. */
  static Double pyNumber(JsonNode n) {
    if (n != null && n.isNumber()) {
      return n.doubleValue();
    }
    if (n != null && n.isBoolean()) {
      return n.booleanValue() ? 1.0 : 0.0;
    }
    return null;
  }

  /** {@code value == v} in Python for a number {@code v}. */
  private static boolean pyEquals(JsonNode value, double v) {
    Double d = pyNumber(value);
    return d != null && d == v;
  }

  /** {@code len(value)}, or null where Python raises TypeError. */
  private static Integer pyLen(JsonNode value) {
    if (value.isArray() || value.isObject()) {
      return value.size();
    }
    if (value.isString()) {
      String s = value.asString();
      return s.codePointCount(0, s.length());
    }
    return null;
  }

  /** {@code a == b} in Python for JSON-like values: 1 == 1.0 == True. */
  static boolean pyDeepEquals(JsonNode a, JsonNode b) {
    Double x = pyNumber(a);
    Double y = pyNumber(b);
    if (x != null || y != null) {
      return x != null && x.equals(y);
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!pyDeepEquals(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        JsonNode other = b.get(e.getKey());
        if (other == null || !pyDeepEquals(e.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }
}
