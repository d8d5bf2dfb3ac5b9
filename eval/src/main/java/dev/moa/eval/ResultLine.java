package dev.moa.eval;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One sample's outcome: a {@code results.jsonl} line. Built from the sample, its {@link
 * FinalAnswer} and (when graded) its {@link Grade}; {@link #toJson()} and {@link #parse(String)}
 * are inverses.
 *
 * @param id the sample id
 * @param line the sample's dataset line
 * @param requestId the MoA request id ("" if unknown)
 * @param status the answer status: SUCCEEDED, FAILED or CANCELLED
 * @param answer the final answer text ("" when none)
 * @param grade the grade, or null when the sample has not been graded (yet)
 * @param promptTokens prompt tokens of all calls (layers and aggregator)
 * @param completionTokens completion tokens of all calls
 * @param latencyMs end-to-end latency
 * @param layers the proposer layers with every agent's output
 * @param aggregator the aggregator's output, or null when the request failed before it
 * @param errors the answer error, failed agents' errors and a grading error, in that order
 * @param simulated the answer came from the simulator
 * @param cachedCalls agent outputs (aggregator included) served from the response cache
 */
public record ResultLine(
    String id,
    int line,
    String requestId,
    String status,
    String answer,
    GradeInfo grade,
    long promptTokens,
    long completionTokens,
    long latencyMs,
    List<Layer> layers,
    Agent aggregator,
    List<String> errors,
    boolean simulated,
    int cachedCalls) {

  static final Set<String> ANSWER_STATUSES = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  static final Set<String> GRADE_STATUSES = Set.of("NOT_GRADED", "GRADED", "ERROR");
  static final Set<String> CALL_STATUSES = Set.of("SUCCEEDED", "FAILED");

  public ResultLine {
    Objects.requireNonNull(id, "id");
    requestId = requestId == null ? "" : requestId;
    Objects.requireNonNull(status, "status");
    answer = answer == null ? "" : answer;
    layers = List.copyOf(layers);
    errors = List.copyOf(errors);
  }

  /**
   * A grade as results show it.
   *
   * @param grader the grader type
   * @param status NOT_GRADED, GRADED or ERROR
   * @param score points scored
   * @param maxScore points possible
   * @param detailsJson the grader's details as a compact JSON object text
   * @param reason why it was not graded or failed; null otherwise
   */
  public record GradeInfo(
      String grader,
      String status,
      double score,
      double maxScore,
      String detailsJson,
      String reason) {
    public GradeInfo {
      Objects.requireNonNull(grader, "grader");
      Objects.requireNonNull(status, "status");
      // JSON has no NaN or infinity; a grader that produced one scored nothing.
      score = Double.isFinite(score) ? score : 0;
      maxScore = Double.isFinite(maxScore) ? maxScore : 0;
      detailsJson = canonicalObject(detailsJson);
    }

    public boolean graded() {
      return status.equals("GRADED");
    }

    public boolean error() {
      return status.equals("ERROR");
    }

    /** score / max_score clamped to 0..1; 0 when max_score is not positive. */
    public double fraction() {
      if (!(maxScore > 0)) {
        return 0;
      }
      return Math.max(0, Math.min(1, score / maxScore));
    }

    /** Full marks: a GRADED grade with score at least max_score. */
    public boolean perfect() {
      return graded() && maxScore > 0 && score >= maxScore;
    }
  }

  /**
   * One pass of a layer (a critic's rejection runs layers again, in the next round).
   *
   * @param layer the layer index
   * @param latencyMs the slowest agent's latency (the layer's wall time)
   * @param agents the layer's agent outputs
   * @param round 0 on the first pass; 1, 2, ... on passes after a critic's rejections
   * @param verdict a critic layer's verdict (ACCEPT, REJECT, NONE); null for other layers
   */
  public record Layer(int layer, long latencyMs, List<Agent> agents, int round, String verdict) {
    public Layer {
      agents = List.copyOf(agents);
    }
  }

  /** One agent's (or the aggregator's) call. */
  public record Agent(
      String agent,
      String model,
      String status,
      String content,
      int promptTokens,
      int completionTokens,
      long latencyMs,
      long ttftMs,
      String error,
      boolean cached,
      String verdict) {
    public Agent {
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(status, "status");
      content = content == null ? "" : content;
    }

    public boolean failed() {
      return !status.equals("SUCCEEDED");
    }
  }

  public boolean cancelled() {
    return status.equals("CANCELLED");
  }

  public boolean answerFailed() {
    return status.equals("FAILED");
  }

  /** The answer failed or its grading ended in ERROR. */
  public boolean failed() {
    return answerFailed() || (grade != null && grade.error());
  }

  /** Prompt plus completion tokens of all calls. */
  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /** Every agent output of the result, layers first, then the aggregator. */
  public List<Agent> allCalls() {
    List<Agent> all = new ArrayList<>();
    for (Layer l : layers) {
      all.addAll(l.agents());
    }
    if (aggregator != null) {
      all.add(aggregator);
    }
    return all;
  }

  /**
   * @param sample the dataset sample
   * @param answer its final answer (not null)
   * @param grade its grade, or null when there is none (yet)
   */
  public static ResultLine of(Sample sample, FinalAnswer answer, Grade grade) {
    Objects.requireNonNull(sample, "sample");
    Objects.requireNonNull(answer, "answer");
    List<Layer> layers = new ArrayList<>();
    Set<String> errors = new LinkedHashSet<>();
    if (answer.getError() != null && !answer.getError().isBlank()) {
      errors.add(answer.getError());
    }
    int cached = 0;
    List<List<AgentOutput>> avroLayers =
        answer.getLayers() == null ? List.of() : answer.getLayers();
    for (int i = 0; i < avroLayers.size(); i++) {
      List<AgentOutput> outputs = avroLayers.get(i);
      List<Agent> agents = new ArrayList<>();
      long slowest = 0;
      for (AgentOutput o : outputs) {
        Agent a = agent(o);
        agents.add(a);
        slowest = Math.max(slowest, a.latencyMs());
        cached += a.cached() ? 1 : 0;
        if (a.failed()) {
          errors.add(
              "layer "
                  + o.getLayer()
                  + " agent "
                  + a.agent()
                  + " ("
                  + a.model()
                  + "): "
                  + Objects.requireNonNullElse(a.error(), "failed without an error"));
        }
      }
      int index = outputs.isEmpty() ? i : outputs.get(0).getLayer();
      int round = outputs.isEmpty() ? 0 : outputs.get(0).getRound();
      String verdict = outputs.isEmpty() ? null : outputs.get(0).getVerdict();
      layers.add(new Layer(index, slowest, agents, round, verdict));
    }
    Agent aggregator = null;
    if (answer.getAggregator() != null) {
      aggregator = agent(answer.getAggregator());
      cached += aggregator.cached() ? 1 : 0;
      if (aggregator.failed()) {
        errors.add(
            "aggregator "
                + aggregator.agent()
                + " ("
                + aggregator.model()
                + "): "
                + Objects.requireNonNullElse(aggregator.error(), "failed without an error"));
      }
    }
    GradeInfo gradeInfo = null;
    if (grade != null) {
      gradeInfo =
          new GradeInfo(
              grade.getGrader(),
              grade.getStatus().name(),
              grade.getScore(),
              grade.getMaxScore(),
              grade.getDetailsJson(),
              grade.getReason());
      if (gradeInfo.error()) {
        errors.add(
            "grader "
                + gradeInfo.grader()
                + ": "
                + Objects.requireNonNullElse(gradeInfo.reason(), "failed without a reason"));
      }
    }
    return new ResultLine(
        sample.id(),
        sample.line(),
        answer.getRequestId(),
        answer.getStatus().name(),
        answer.getAnswer(),
        gradeInfo,
        answer.getUsage() == null ? 0 : answer.getUsage().getPromptTokens(),
        answer.getUsage() == null ? 0 : answer.getUsage().getCompletionTokens(),
        answer.getLatencyMs(),
        layers,
        aggregator,
        new ArrayList<>(errors),
        answer.getSimulated(),
        cached);
  }

  private static Agent agent(AgentOutput o) {
    return new Agent(
        o.getAgent(),
        o.getModel(),
        o.getStatus() == null ? CallStatus.FAILED.name() : o.getStatus().name(),
        o.getContent(),
        o.getPromptTokens(),
        o.getCompletionTokens(),
        o.getLatencyMs(),
        o.getTtftMs(),
        o.getError(),
        o.getCached(),
        o.getVerdict());
  }

  /** One line of compact JSON, without a newline. */
  public String toJson() {
    return toNode().toString();
  }

  ObjectNode toNode() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode n = f.objectNode();
    n.put("id", id);
    n.put("line", line);
    n.put("request_id", requestId);
    n.put("status", status);
    n.put("answer", answer);
    if (grade == null) {
      n.putNull("grade");
    } else {
      ObjectNode g = n.putObject("grade");
      g.put("grader", grade.grader());
      g.put("status", grade.status());
      g.put("score", grade.score());
      g.put("max_score", grade.maxScore());
      g.set("details", EvalJson.MAPPER.readTree(grade.detailsJson()));
      g.put("reason", grade.reason());
    }
    ObjectNode usage = n.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    n.put("latency_ms", latencyMs);
    ArrayNode ls = n.putArray("layers");
    for (Layer l : layers) {
      ObjectNode ln = ls.addObject();
      ln.put("layer", l.layer());
      ln.put("round", l.round());
      if (l.verdict() != null) {
        ln.put("verdict", l.verdict());
      }
      ln.put("latency_ms", l.latencyMs());
      ArrayNode as = ln.putArray("agents");
      for (Agent a : l.agents()) {
        writeAgent(as.addObject(), a);
      }
    }
    if (aggregator == null) {
      n.putNull("aggregator");
    } else {
      writeAgent(n.putObject("aggregator"), aggregator);
    }
    ArrayNode es = n.putArray("errors");
    errors.forEach(es::add);
    n.put("simulated", simulated);
    n.put("cached_calls", cachedCalls);
    return n;
  }

  private static void writeAgent(ObjectNode n, Agent a) {
    n.put("agent", a.agent());
    n.put("model", a.model());
    n.put("status", a.status());
    n.put("content", a.content());
    n.put("prompt_tokens", a.promptTokens());
    n.put("completion_tokens", a.completionTokens());
    n.put("latency_ms", a.latencyMs());
    n.put("ttft_ms", a.ttftMs());
    n.put("error", a.error());
    n.put("cached", a.cached());
    if (a.verdict() != null) {
      n.put("verdict", a.verdict());
    }
  }

  /**
   * The inverse of {@link #toJson()}. Unknown fields are ignored (newer writers may add some).
   *
   * @throws IllegalArgumentException naming the field and its bad value
   */
  public static ResultLine parse(String jsonLine) {
    if (jsonLine == null || jsonLine.isBlank()) {
      throw new IllegalArgumentException("empty results line");
    }
    JsonNode n;
    try {
      n = EvalJson.MAPPER.readTree(jsonLine);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("invalid JSON: " + EvalJson.parseError(e), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(
          "results line is not a JSON object, got: " + EvalJson.show(n));
    }
    String id = text(n, "id", "id");
    int line = (int) integer(n, "line", "line");
    String requestId = optionalText(n, "request_id", "request_id");
    String status = oneOf(n, "status", "status", ANSWER_STATUSES);
    String answer = text(n, "answer", "answer");
    GradeInfo grade = null;
    JsonNode g = n.get("grade");
    if (g != null && !g.isNull()) {
      if (!g.isObject()) {
        throw bad("grade", g, "an object or null");
      }
      JsonNode details = g.get("details");
      if (details != null && !details.isNull() && !details.isObject()) {
        throw bad("grade.details", details, "an object");
      }
      grade =
          new GradeInfo(
              text(g, "grade.grader", "grader"),
              oneOf(g, "grade.status", "status", GRADE_STATUSES),
              number(g, "grade.score", "score"),
              number(g, "grade.max_score", "max_score"),
              details == null || details.isNull() ? "{}" : details.toString(),
              optionalText(g, "grade.reason", "reason"));
    }
    JsonNode usage = n.get("usage");
    if (usage == null || !usage.isObject()) {
      throw bad("usage", usage, "an object");
    }
    long promptTokens = integer(usage, "usage.prompt_tokens", "prompt_tokens");
    long completionTokens = integer(usage, "usage.completion_tokens", "completion_tokens");
    long latencyMs = integer(n, "latency_ms", "latency_ms");
    List<Layer> layers = new ArrayList<>();
    JsonNode ls = n.get("layers");
    if (ls == null || !ls.isArray()) {
      throw bad("layers", ls, "an array");
    }
    for (int i = 0; i < ls.size(); i++) {
      JsonNode l = ls.get(i);
      String name = "layers[" + i + "]";
      if (!l.isObject()) {
        throw bad(name, l, "an object");
      }
      JsonNode as = l.get("agents");
      if (as == null || !as.isArray()) {
        throw bad(name + ".agents", as, "an array");
      }
      List<Agent> agents = new ArrayList<>();
      for (int j = 0; j < as.size(); j++) {
        agents.add(readAgent(as.get(j), name + ".agents[" + j + "]"));
      }
      // round and verdict came with MoA shapes: lines written before have neither.
      layers.add(
          new Layer(
              (int) integer(l, name + ".layer", "layer"),
              integer(l, name + ".latency_ms", "latency_ms"),
              agents,
              l.has("round") ? (int) integer(l, name + ".round", "round") : 0,
              optionalText(l, name + ".verdict", "verdict")));
    }
    JsonNode agg = n.get("aggregator");
    Agent aggregator = agg == null || agg.isNull() ? null : readAgent(agg, "aggregator");
    JsonNode es = n.get("errors");
    if (es == null || !es.isArray()) {
      throw bad("errors", es, "an array of strings");
    }
    List<String> errors = new ArrayList<>();
    for (JsonNode e : es) {
      if (!e.isString()) {
        throw bad("errors", es, "an array of strings");
      }
      errors.add(e.asString());
    }
    return new ResultLine(
        id,
        line,
        requestId,
        status,
        answer,
        grade,
        promptTokens,
        completionTokens,
        latencyMs,
        layers,
        aggregator,
        errors,
        bool(n, "simulated", "simulated"),
        (int) integer(n, "cached_calls", "cached_calls"));
  }

  private static Agent readAgent(JsonNode a, String name) {
    if (a == null || !a.isObject()) {
      throw bad(name, a, "an object");
    }
    return new Agent(
        text(a, name + ".agent", "agent"),
        text(a, name + ".model", "model"),
        oneOf(a, name + ".status", "status", CALL_STATUSES),
        text(a, name + ".content", "content"),
        (int) integer(a, name + ".prompt_tokens", "prompt_tokens"),
        (int) integer(a, name + ".completion_tokens", "completion_tokens"),
        integer(a, name + ".latency_ms", "latency_ms"),
        integer(a, name + ".ttft_ms", "ttft_ms"),
        optionalText(a, name + ".error", "error"),
        bool(a, name + ".cached", "cached"),
        optionalText(a, name + ".verdict", "verdict"));
  }

  private static IllegalArgumentException bad(String field, JsonNode value, String expected) {
    return new IllegalArgumentException(
        "field '"
            + field
            + "' must be "
            + expected
            + ", got: "
            + (value == null ? "nothing" : EvalJson.show(value)));
  }

  private static String text(JsonNode n, String field, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isString()) {
      throw bad(field, v, "a string");
    }
    return v.asString();
  }

  private static String optionalText(JsonNode n, String field, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      throw bad(field, v, "a string or null");
    }
    return v.asString();
  }

  private static String oneOf(JsonNode n, String field, String key, Set<String> allowed) {
    String s = text(n, field, key);
    if (!allowed.contains(s)) {
      throw bad(field, n.get(key), "one of " + new java.util.TreeSet<>(allowed));
    }
    return s;
  }

  private static long integer(JsonNode n, String field, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw bad(field, v, "an integer");
    }
    return v.asLong();
  }

  private static double number(JsonNode n, String field, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isNumber()) {
      throw bad(field, v, "a number");
    }
    return v.asDouble();
  }

  private static boolean bool(JsonNode n, String field, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isBoolean()) {
      throw bad(field, v, "true or false");
    }
    return v.asBoolean();
  }

  /** A grader's details as compact object JSON; non-object or broken text is kept as {raw}. */
  static String canonicalObject(String json) {
    if (json == null || json.isBlank()) {
      return "{}";
    }
    try {
      JsonNode node = EvalJson.MAPPER.readTree(json);
      if (node != null && node.isObject()) {
        return node.toString();
      }
    } catch (JacksonException e) {
      // kept as raw text below
    }
    ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
    wrapped.put("raw", json);
    return wrapped.toString();
  }
}
