package dev.moa.simulator;

import static dev.moa.simulator.SimHttp.chat;
import static dev.moa.simulator.SimHttp.get;
import static dev.moa.simulator.SimHttp.parse;
import static dev.moa.simulator.SimHttp.post;
import static dev.moa.simulator.SimHttp.sseData;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class SimulatorHttpTest {

  private static final String MODEL = "llama3.1-8b";
  private static Simulator sim;

  @BeforeAll
  static void start() {
    sim = Simulator.start(SimulatorOptions.builder().defaultProfile(Profile.INSTANT).build());
  }

  @AfterAll
  static void stop() {
    sim.close();
    sim.close(); // idempotent
  }

  private static ObjectNode question(String q) {
    return chat(MODEL, q).put("temperature", 0.3).put("seed", 5);
  }

  private static String nonStreamContent(ObjectNode body) {
    HttpResponse<String> res = post(sim, body.deepCopy().put("stream", false));
    assertThat(res.statusCode()).isEqualTo(200);
    return parse(res.body()).at("/choices/0/message/content").stringValue();
  }

  @Test
  void baseUrlPointsAtV1() {
    assertThat(sim.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port() + "/v1");
    assertThat(sim.port()).isPositive();
  }

  @Test
  void wildcardHostIsReportedAsLoopbackAndBusyPortFails() {
    try (Simulator any =
        Simulator.start(
            SimulatorOptions.builder().host("0.0.0.0").defaultProfile(Profile.INSTANT).build())) {
      assertThat(any.baseUrl()).isEqualTo("http://127.0.0.1:" + any.port() + "/v1");
      assertThat(get(any, "/models").statusCode()).isEqualTo(200);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Simulator.start(SimulatorOptions.builder().port(sim.port()).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("127.0.0.1:" + sim.port());
  }

  @Test
  void streamingChunksParseAndConcatenateToTheNonStreamAnswer() {
    ObjectNode body = question("How do tides work?").put("stream", true);
    HttpResponse<String> res = post(sim, body);

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(res.headers().firstValue("x-moa-simulated")).hasValue("true");
    List<String> data = sseData(res.body());
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(SimHttp::parse).toList();

    JsonNode role = chunks.get(0);
    assertThat(role.at("/choices/0/delta/role").stringValue()).isEqualTo("assistant");
    assertThat(role.at("/choices/0/delta/content").stringValue()).isEmpty();
    String id = role.get("id").stringValue();
    assertThat(id).matches("chatcmpl-sim-[0-9a-f]+");

    List<JsonNode> content = chunks.subList(1, chunks.size() - 1);
    assertThat(content).hasSizeGreaterThan(1);
    StringBuilder text = new StringBuilder();
    for (JsonNode c : chunks) {
      assertThat(c.get("id").stringValue()).isEqualTo(id);
      assertThat(c.get("object").stringValue()).isEqualTo("chat.completion.chunk");
      assertThat(c.get("model").stringValue()).isEqualTo(MODEL);
      assertThat(c.get("system_fingerprint").stringValue()).isEqualTo("moa-simulator");
      assertThat(c.get("created").longValue())
          .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
      assertThat(c.has("usage")).isFalse();
    }
    for (JsonNode c : content) {
      assertThat(c.at("/choices/0/index").intValue()).isZero();
      assertThat(c.at("/choices/0/finish_reason").isNull()).isTrue();
      assertThat(c.at("/choices/0/delta/content").stringValue()).isNotEmpty();
      text.append(c.at("/choices/0/delta/content").stringValue());
    }
    JsonNode finish = chunks.get(chunks.size() - 1);
    assertThat(finish.at("/choices/0/delta").isEmpty()).isTrue();
    assertThat(finish.at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");

    assertThat(text.toString())
        .startsWith("[simulated model llama3.1-8b] ")
        .isEqualTo(nonStreamContent(body));
  }

  @Test
  void usageChunkOnlyWithIncludeUsage() {
    ObjectNode body = question("What is entropy?").put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    List<String> data = sseData(post(sim, body).body());

    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    JsonNode usageChunk = parse(data.get(data.size() - 2));
    assertThat(usageChunk.get("choices").isArray()).isTrue();
    assertThat(usageChunk.get("choices").isEmpty()).isTrue();
    JsonNode usage = usageChunk.get("usage");
    int prompt = (11 + 3) / 4 + 4 + ("What is entropy?".length() + 3) / 4 + 4;
    assertThat(usage.get("prompt_tokens").intValue()).isEqualTo(prompt);
    JsonNode whole = parse(post(sim, question("What is entropy?")).body());
    int completion = whole.at("/usage/completion_tokens").intValue();
    assertThat(usage.get("completion_tokens").intValue()).isEqualTo(completion);
    assertThat(usage.get("total_tokens").intValue()).isEqualTo(prompt + completion);
    JsonNode timeInfo = usageChunk.get("time_info");
    for (String f : List.of("queue_time", "prompt_time", "completion_time", "total_time")) {
      assertThat(timeInfo.get(f).isDouble()).as(f).isTrue();
      assertThat(timeInfo.get(f).doubleValue()).as(f).isGreaterThanOrEqualTo(0);
    }
    assertThat(timeInfo.get("created").doubleValue())
        .isGreaterThan(System.currentTimeMillis() / 1000.0 - 60);

    // The finish chunk comes before the usage chunk; without include_usage there is none.
    assertThat(parse(data.get(data.size() - 3)).at("/choices/0/finish_reason").stringValue())
        .isEqualTo("stop");
    body.putObject("stream_options").put("include_usage", false);
    assertThat(sseData(post(sim, body).body())).noneMatch(d -> d.contains("\"usage\""));
  }

  @Test
  void nonStreamResponseShape() {
    HttpResponse<String> res = post(sim, question("Name three primes"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(res.headers().firstValue("x-moa-simulated")).hasValue("true");
    JsonNode root = parse(res.body());
    assertThat(root.get("id").stringValue()).startsWith("chatcmpl-sim-");
    assertThat(root.get("object").stringValue()).isEqualTo("chat.completion");
    assertThat(root.get("model").stringValue()).isEqualTo(MODEL);
    assertThat(root.get("choices")).hasSize(1);
    assertThat(root.at("/choices/0/message/role").stringValue()).isEqualTo("assistant");
    String content = root.at("/choices/0/message/content").stringValue();
    assertThat(content).startsWith("[simulated model llama3.1-8b] ");
    assertThat(root.at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
    int completion = root.at("/usage/completion_tokens").intValue();
    assertThat(completion).isBetween(30, 160);
    assertThat(root.at("/usage/total_tokens").intValue())
        .isEqualTo(root.at("/usage/prompt_tokens").intValue() + completion);
    assertThat(root.at("/time_info/total_time").isDouble()).isTrue();
    // Same input, same answer.
    assertThat(
            parse(post(sim, question("Name three primes")).body())
                .at("/choices/0/message/content")
                .stringValue())
        .isEqualTo(content);
  }

  @Test
  void maxTokensCapsTheAnswer() {
    for (String field : List.of("max_tokens", "max_completion_tokens")) {
      JsonNode root = parse(post(sim, question("Summarise the war").put(field, 5)).body());
      assertThat(root.at("/choices/0/finish_reason").stringValue()).isEqualTo("length");
      assertThat(root.at("/usage/completion_tokens").intValue()).isEqualTo(5);
    }
    ObjectNode streamed = question("Summarise the war").put("max_tokens", 5).put("stream", true);
    List<String> data = sseData(post(sim, streamed).body());
    assertThat(parse(data.get(data.size() - 2)).at("/choices/0/finish_reason").stringValue())
        .isEqualTo("length");
  }

  @Test
  void pacedStreamingTakesThePlannedTimeAndGivesTheSameText() {
    try (Simulator paced =
        Simulator.start(
            SimulatorOptions.builder().defaultProfile(Profile.GPU).timeScale(0.05).build())) {
      ObjectNode body = question("Why is the sea salty?").put("stream", true);
      long t0 = System.nanoTime();
      HttpResponse<String> res = post(paced, body);
      long elapsed = System.nanoTime() - t0;
      List<String> data = sseData(res.body());
      StringBuilder text = new StringBuilder();
      for (String d : data.subList(1, data.size() - 2)) {
        text.append(parse(d).at("/choices/0/delta/content").stringValue());
      }
      assertThat(text.toString()).isEqualTo(nonStreamContent(body));
      int tokens =
          TextGenerator.generate(
                  MODEL,
                  List.of(
                      new ReceivedCall.Message("system", "Be concise."),
                      new ReceivedCall.Message("user", "Why is the sea salty?")),
                  0.3,
                  5L,
                  1024)
              .tokenCount();
      assertThat(elapsed)
          .isGreaterThanOrEqualTo(CompletionPlan.schedule(tokens, Profile.GPU, 0.05).finishNanos());
    }
  }

  @Test
  void badRequestsGet400WithTheParam() {
    assertError(post(sim, "/chat/completions", "{not json"), 400, "invalid_request_error", null);
    assertError(post(sim, "/chat/completions", ""), 400, "invalid_request_error", null);
    ObjectNode noModel = chat(MODEL, "q");
    noModel.remove("model");
    assertError(post(sim, noModel), 400, "invalid_request_error", "model");
    ObjectNode noMessages = chat(MODEL, "q");
    noMessages.remove("messages");
    assertError(post(sim, noMessages), 400, "invalid_request_error", "messages");
    ObjectNode emptyMessages = chat(MODEL, "q");
    emptyMessages.putArray("messages");
    assertError(post(sim, emptyMessages), 400, "invalid_request_error", "messages");
    assertError(
        post(sim, chat(MODEL, "q").put("temperature", 7)),
        400,
        "invalid_request_error",
        "temperature");
    assertError(
        post(sim, chat(MODEL, "q").put("max_tokens", 0)),
        400,
        "invalid_request_error",
        "max_tokens");
    assertError(
        post(sim, chat(MODEL, "q").put("stream", "yes")), 400, "invalid_request_error", "stream");
  }

  @Test
  void unknownPathsGet404() {
    assertError(get(sim, "/nope"), 404, "invalid_request_error", null);
    assertError(post(sim, "/completions", "{}"), 404, "invalid_request_error", null);
    assertThat(parse(get(sim, "/nope").body()).at("/error/message").stringValue())
        .contains("GET /v1/nope");
  }

  private static void assertError(HttpResponse<String> res, int status, String type, String param) {
    assertThat(res.statusCode()).isEqualTo(status);
    assertThat(res.headers().firstValue("x-moa-simulated")).hasValue("true");
    assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode error = parse(res.body()).get("error");
    assertThat(error.get("message").stringValue()).isNotBlank();
    assertThat(error.get("type").stringValue()).isEqualTo(type);
    if (param == null) {
      assertThat(error.get("param").isNull()).isTrue();
    } else {
      assertThat(error.get("param").stringValue()).isEqualTo(param);
    }
    assertThat(error.get("code").isNull()).isTrue();
  }

  @Test
  void modelsListsKnownAndSeenModels() {
    post(sim, chat("my-custom-model", "hello"));
    HttpResponse<String> res = get(sim, "/models");
    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode root = parse(res.body());
    assertThat(root.get("object").stringValue()).isEqualTo("list");
    List<String> ids = new ArrayList<>();
    for (JsonNode m : root.get("data")) {
      ids.add(m.get("id").stringValue());
      assertThat(m.get("object").stringValue()).isEqualTo("model");
      assertThat(m.get("created").intValue()).isZero();
      assertThat(m.get("owned_by").stringValue()).isEqualTo("moa-simulator");
    }
    assertThat(ids)
        .startsWith(
            "llama-4-scout-17b-16e-instruct",
            "qwen-3-32b",
            "llama3.1-8b",
            "llama-3.3-70b",
            "gpt-oss-120b")
        .contains("my-custom-model")
        .doesNotHaveDuplicates();
  }

  @Test
  void listenerReceivesTheExactMessages() {
    try (Simulator own =
        Simulator.start(SimulatorOptions.builder().defaultProfile(Profile.INSTANT).build())) {
      List<ReceivedCall> calls = new CopyOnWriteArrayList<>();
      own.addListener(calls::add);
      String tricky = "Line one\nline \"two\"\t— ünïcödé ✓ {\"json\": [1]}\\";
      ObjectNode body = SimHttp.JSON.createObjectNode();
      body.put("model", "qwen-3-32b").put("temperature", 0.25).put("max_tokens", 77);
      body.put("stream", true).put("seed", 123456789012L);
      body.putArray("messages")
          .add(SimHttp.JSON.createObjectNode().put("role", "system").put("content", "sys"))
          .add(SimHttp.JSON.createObjectNode().put("role", "user").put("content", tricky))
          .add(SimHttp.JSON.createObjectNode().put("role", "assistant").put("content", ""))
          .add(SimHttp.JSON.createObjectNode().put("role", "user").put("content", "again?"));
      post(own, body);
      post(own, chat("llama3.1-8b", "plain"));

      assertThat(calls)
          .containsExactly(
              new ReceivedCall(
                  "qwen-3-32b",
                  List.of(
                      new ReceivedCall.Message("system", "sys"),
                      new ReceivedCall.Message("user", tricky),
                      new ReceivedCall.Message("assistant", ""),
                      new ReceivedCall.Message("user", "again?")),
                  0.25,
                  77,
                  true,
                  123456789012L),
              new ReceivedCall(
                  "llama3.1-8b",
                  List.of(
                      new ReceivedCall.Message("system", "Be concise."),
                      new ReceivedCall.Message("user", "plain")),
                  1.0,
                  1024,
                  false,
                  null));
    }
  }

  @Test
  void statsCountRequestsCompletionsAndTokens() {
    try (Simulator own =
        Simulator.start(SimulatorOptions.builder().defaultProfile(Profile.INSTANT).build())) {
      long prompt = 0;
      long completion = 0;
      for (int i = 0; i < 3; i++) {
        JsonNode root = parse(post(own, chat(MODEL, "question " + i)).body());
        prompt += root.at("/usage/prompt_tokens").longValue();
        completion += root.at("/usage/completion_tokens").longValue();
      }
      ObjectNode streamed = chat(MODEL, "streamed");
      streamed.put("stream", true).putObject("stream_options").put("include_usage", true);
      List<String> data = sseData(post(own, streamed).body());
      JsonNode usage = parse(data.get(data.size() - 2)).get("usage");
      prompt += usage.get("prompt_tokens").longValue();
      completion += usage.get("completion_tokens").longValue();
      post(own, "/chat/completions", "{bad"); // counted as a request, never completed

      SimulatorStats stats = own.stats();
      assertThat(stats.requests()).isEqualTo(5);
      assertThat(stats.completed()).isEqualTo(4);
      assertThat(stats.promptTokens()).isEqualTo(prompt);
      assertThat(stats.completionTokens()).isEqualTo(completion);
      assertThat(stats.faultsInjected())
          .containsOnlyKeys("5xx", "429", "stall", "truncate", "malformed")
          .allSatisfy((k, v) -> assertThat(v).isZero());
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> own.stats().running() == 0);

      JsonNode json = parse(get(own, "/simulator/stats").body());
      assertThat(json.get("requests").longValue()).isEqualTo(5);
      assertThat(json.get("completed").longValue()).isEqualTo(4);
      assertThat(json.get("promptTokens").longValue()).isEqualTo(prompt);
      assertThat(json.get("completionTokens").longValue()).isEqualTo(completion);
      assertThat(json.at("/faultsInjected/429").longValue()).isZero();
      assertThat(json.get("running").intValue()).isZero();
    }
  }
}
