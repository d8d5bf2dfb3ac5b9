package dev.moa.simulator;

import static dev.moa.simulator.SimHttp.chat;
import static dev.moa.simulator.SimHttp.parse;
import static dev.moa.simulator.SimHttp.post;
import static dev.moa.simulator.SimHttp.sseData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class SimulatorFaultsTest {

  private static Simulator start(String faults) {
    return Simulator.start(
        SimulatorOptions.builder()
            .defaultProfile(Profile.INSTANT)
            .faults(faults)
            .retryAfterSeconds(3)
            .build());
  }

  private static ObjectNode streaming(String question) {
    return chat("llama3.1-8b", question).put("stream", true);
  }

  private static boolean parses(String json) {
    try {
      parse(json);
      return true;
    } catch (JacksonException e) {
      return false;
    }
  }

  @Test
  void rateLimitedWith429AndRetryHeaders() {
    try (Simulator sim = start("429=1.0")) {
      List<ReceivedCall> seen = new CopyOnWriteArrayList<>();
      sim.addListener(seen::add);
      HttpResponse<String> res = post(sim, chat("llama3.1-8b", "hi"));

      assertThat(res.statusCode()).isEqualTo(429);
      assertThat(res.headers().firstValue("retry-after")).hasValue("3");
      assertThat(res.headers().firstValue("retry-after-ms")).hasValue("3000");
      // An injected 429 describes no real limit: no x-ratelimit-* headers (they come with --rpm).
      assertThat(res.headers().firstValue("x-ratelimit-limit-requests-minute")).isEmpty();
      assertThat(res.headers().firstValue("x-ratelimit-remaining-tokens-minute")).isEmpty();
      assertThat(res.headers().firstValue("x-moa-simulated")).hasValue("true");
      JsonNode error = parse(res.body()).get("error");
      assertThat(error.get("message").stringValue()).isEqualTo("Rate limit exceeded (simulated)");
      assertThat(error.get("type").stringValue()).isEqualTo("rate_limit_error");
      assertThat(error.has("param")).isTrue();

      // Listeners see the call even though it was then rejected.
      assertThat(seen).hasSize(1);
      assertThat(sim.stats().faults("429")).isEqualTo(1);
      assertThat(sim.stats().completed()).isZero();
    }
  }

  @Test
  void serverErrorsAre500Or503() {
    try (Simulator sim = start("5xx=1")) {
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> res = post(sim, streaming("q" + i));
        assertThat(res.statusCode()).isIn(500, 503);
        assertThat(parse(res.body()).at("/error/type").stringValue()).isEqualTo("server_error");
      }
      assertThat(sim.stats().faults("5xx")).isEqualTo(6);
      assertThat(sim.stats().requests()).isEqualTo(6);
    }
  }

  @Test
  void truncatedStreamEndsWithoutFinishOrDone() {
    try (Simulator sim = start("truncate=1")) {
      HttpResponse<InputStream> res = SimHttp.postStreaming(sim, streaming("Explain gravity"));
      assertThat(res.statusCode()).isEqualTo(200);
      List<String> lines = SimHttp.readLinesUntilClosed(res.body());

      assertThat(lines).hasSizeGreaterThanOrEqualTo(2).allMatch(l -> l.startsWith("data: "));
      assertThat(lines).noneMatch(l -> l.equals("data: [DONE]"));
      for (String line : lines) {
        JsonNode chunk = parse(line.substring(6));
        assertThat(chunk.at("/choices/0/finish_reason").isNull()).isTrue();
      }
      assertThat(sim.stats().faults("truncate")).isEqualTo(1);
      assertThat(sim.stats().completed()).isZero();
    }
  }

  @Test
  void truncatedNonStreamBodyIsIncomplete() {
    try (Simulator sim = start("truncate=1")) {
      HttpResponse<InputStream> res =
          SimHttp.postStreaming(sim, chat("llama3.1-8b", "Explain gravity"));
      String body = SimHttp.readUntilClosed(res.body());
      assertThat(body).startsWith("{\"id\":\"chatcmpl-sim-");
      assertThat(parses(body)).isFalse();
    }
  }

  @Test
  void malformedStreamHasOneBrokenLineThenContinues() {
    try (Simulator sim = start("malformed=1.0")) {
      ObjectNode body = streaming("Describe a rainbow").put("seed", 9);
      List<String> data = sseData(post(sim, body).body());

      assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
      List<String> json = data.subList(0, data.size() - 1);
      assertThat(json).filteredOn(d -> !parses(d)).hasSize(1);
      StringBuilder text = new StringBuilder();
      for (String d : json) {
        if (parses(d)) {
          text.append(parse(d).at("/choices/0/delta/content").asString(""));
        }
      }
      String expected =
          TextGenerator.generate(
                  "llama3.1-8b",
                  List.of(
                      new ReceivedCall.Message("system", "Be concise."),
                      new ReceivedCall.Message("user", "Describe a rainbow")),
                  1.0,
                  9L,
                  1024)
              .text();
      assertThat(text.toString()).isEqualTo(expected);
      assertThat(sim.stats().faults("malformed")).isEqualTo(1);
      assertThat(sim.stats().completed()).isEqualTo(1);
    }
  }

  @Test
  void stalledStreamStaysOpenUntilTheServerCloses() {
    Simulator sim = start("stall=1");
    try {
      HttpResponse<InputStream> res = SimHttp.postStreaming(sim, streaming("Tell a story"));
      assertThat(res.statusCode()).isEqualTo(200);
      CompletableFuture<List<String>> lines =
          CompletableFuture.supplyAsync(() -> SimHttp.readLinesUntilClosed(res.body()));
      await().atMost(Duration.ofSeconds(5)).until(() -> sim.stats().faults("stall") == 1);
      // Nothing ends the stream on its own.
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !lines.isDone() && sim.stats().running() == 1);

      sim.close();
      List<String> received = lines.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
      assertThat(received).isNotEmpty().hasSizeLessThanOrEqualTo(2);
      assertThat(received.get(0)).contains("\"role\":\"assistant\"");
      assertThat(received).noneMatch(l -> l.contains("[DONE]") || l.contains("finish_reason\":\""));
    } finally {
      sim.close();
    }
  }

  @Test
  void faultsFollowTheSeededRates() {
    List<Integer> first = statuses(7);
    assertThat(statuses(7)).isEqualTo(first);
    assertThat(statuses(8)).isNotEqualTo(first);
    long failures = first.stream().filter(s -> s != 200).count();
    assertThat(failures).isBetween(20L, 80L);
  }

  private static List<Integer> statuses(long seed) {
    try (Simulator sim =
        Simulator.start(
            SimulatorOptions.builder()
                .defaultProfile(Profile.INSTANT)
                .faults("5xx=0.25,429=0.25")
                .seed(seed)
                .build())) {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        out.add(post(sim, chat("m", "q")).statusCode());
      }
      SimulatorStats stats = sim.stats();
      assertThat(stats.faults("5xx") + stats.faults("429") + stats.completed()).isEqualTo(100);
      return out;
    }
  }
}
