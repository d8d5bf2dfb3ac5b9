package dev.moa.graders;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a Python function against the sample's tests ({@code {"function", "tests": [{"input",
 * "expected"}], "asserts": [...]}}) in the sandbox; score = fraction passed. No code policy.
 */
public final class CodeGrader implements Grader {
  private static final Set<String> OPTIONS = Set.of("function", "tests", "asserts");
  private final BwrapSandbox sandbox;

  public CodeGrader(BwrapSandbox sandbox) {
    this.sandbox = sandbox;
  }

  @Override
  public String type() {
    return "code";
  }

  /**
   * The checked options as the harness plan; the same checks for {@link #validate} and {@link
   * #grade}. Nothing here runs Python.
   */
  private record Spec(String function, JsonNode tests, int nTests, int nAsserts, ObjectNode plan) {}

  private static Spec spec(String optionsJson) {
    JsonNode options = Json.options(optionsJson, OPTIONS);
    JsonNode fn = options.get("function");
    JsonNode tests = options.get("tests");
    JsonNode asserts = options.get("asserts");
    if (fn != null && !(fn.isString() && fn.asString().matches("[A-Za-z_]\\w*"))) {
      throw new IllegalArgumentException(
          "option 'function' must be a Python identifier, got: " + fn);
    }
    if (tests != null && !tests.isArray()) {
      throw new IllegalArgumentException("option 'tests' must be an array, got: " + tests);
    }
    if (asserts != null && !asserts.isArray()) {
      throw new IllegalArgumentException("option 'asserts' must be an array, got: " + asserts);
    }
    int nTests = tests == null ? 0 : tests.size();
    int nAsserts = asserts == null ? 0 : asserts.size();
    if (nTests + nAsserts == 0) {
      throw new IllegalArgumentException(
          "option 'tests' or 'asserts' must contain at least one check, got: " + optionsJson);
    }
    if (nTests > 0 && fn == null) {
      throw new IllegalArgumentException("option 'function' is required with 'tests', got: null");
    }
    ObjectNode plan = Json.object();
    if (fn != null) {
      plan.put("function", fn.asString());
    }
    ArrayNode calls = plan.putArray("calls");
    for (int i = 0; i < nTests; i++) {
      JsonNode t = tests.get(i);
      if (!t.isObject() || !t.path("input").isArray() || !t.has("expected")) {
        throw new IllegalArgumentException(
            "option 'tests'[" + i + "] must be {\"input\": [...], \"expected\": ...}, got: " + t);
      }
      Iterator<String> names = t.propertyNames().iterator();
      while (names.hasNext()) {
        String name = names.next();
        if (!name.equals("input") && !name.equals("expected")) {
          throw new IllegalArgumentException(
              "option 'tests'[" + i + "] has unknown key '" + name + "', got: " + t);
        }
      }
      ObjectNode c = calls.addObject();
      c.put("id", "test_" + i);
      c.set("args", t.get("input"));
    }
    ArrayNode as = plan.putArray("asserts");
    for (int i = 0; i < nAsserts; i++) {
      JsonNode a = asserts.get(i);
      if (!a.isString() || a.asString().isBlank()) {
        throw new IllegalArgumentException(
            "option 'asserts'[" + i + "] must be a non-empty string, got: " + a);
      }
      as.add(a.asString());
    }
    return new Spec(fn == null ? null : fn.asString(), tests, nTests, nAsserts, plan);
  }

  /** Checks the options; the target is not used (expected values live in {@code tests}). */
  @Override
  public void validate(String optionsJson, String targetJson) {
    spec(optionsJson);
  }

  @Override
  public GradeResult grade(String answer, String optionsJson, String targetJson) {
    Spec spec = spec(optionsJson);
    JsonNode tests = spec.tests();
    int nTests = spec.nTests();
    int nAsserts = spec.nAsserts();
    ObjectNode plan = spec.plan();
    int n = nTests + nAsserts;
    Optional<String> code = CodeExtractor.extract(answer, spec.function());
    if (code.isEmpty()) {
      return zero(n, "no Python code block or function definition found");
    }
    BwrapSandbox.Outcome outcome = sandbox.run("code", code.get(), plan);
    if (outcome instanceof BwrapSandbox.Unavailable u) {
      return new GradeResult.Failed(u.reason());
    }
    if (outcome instanceof BwrapSandbox.Broken b) {
      return zero(n, "sandbox run failed: " + b.reason());
    }
    JsonNode obs = ((BwrapSandbox.Completed) outcome).observations();
    List<Map<String, Object>> results = new ArrayList<>();
    int passed = 0;
    JsonNode callObs = obs.path("calls");
    for (int i = 0; i < nTests; i++) {
      JsonNode c = callObs.path(i);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("test", i);
      boolean ok;
      if (!c.path("id").asString("").equals("test_" + i) || !c.path("ok").asBoolean(false)) {
        ok = false;
        r.put("error", c.path("error").asString("not run"));
      } else {
        ok = sameValue(tests.get(i).get("expected"), c.path("result"));
        r.put("actual", c.path("result").toString());
      }
      r.put("passed", ok);
      passed += ok ? 1 : 0;
      results.add(r);
    }
    JsonNode assertObs = obs.path("asserts");
    for (int i = 0; i < nAsserts; i++) {
      JsonNode a = assertObs.path(i);
      boolean ok = a.path("ok").asBoolean(false);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("assert", i);
      r.put("passed", ok);
      if (!ok) {
        r.put("error", a.path("error").asString("not run"));
      }
      passed += ok ? 1 : 0;
      results.add(r);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("passed", passed);
    details.put("total", n);
    details.put("results", results);
    if (!obs.path("load").path("ok").asBoolean(false)) {
      details.put("load_error", obs.path("load").path("error").asString(""));
    }
    return new GradeResult.Scored(passed, n, details);
  }

  private static GradeResult zero(int n, String reason) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("passed", 0);
    details.put("total", n);
    details.put("reason", reason);
    return new GradeResult.Scored(0, n, details);
  }

  /** JSON equality where numbers compare by value (1 == 1.0) and booleans are not numbers. */
  static boolean sameValue(JsonNode expected, JsonNode actual) {
    if (expected.isNumber() && actual.isNumber()) {
      return new BigDecimal(expected.numberValue().toString())
              .compareTo(new BigDecimal(actual.numberValue().toString()))
          == 0;
    }
    if (expected.isArray() && actual.isArray()) {
      if (expected.size() != actual.size()) {
        return false;
      }
      for (int i = 0; i < expected.size(); i++) {
        if (!sameValue(expected.get(i), actual.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (expected.isObject() && actual.isObject()) {
      if (expected.size() != actual.size()) {
        return false;
      }
      Iterator<String> names = expected.propertyNames().iterator();
      while (names.hasNext()) {
        String k = names.next();
        if (!actual.has(k) || !sameValue(expected.get(k), actual.get(k))) {
          return false;
        }
      }
      return true;
    }
    return expected.equals(actual);
  }
}
