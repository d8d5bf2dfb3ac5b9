package dev.moa.simulator;

import static dev.moa.simulator.SimHttp.JSON;
import static dev.moa.simulator.SimHttp.chat;
import static dev.moa.simulator.SimHttp.get;
import static dev.moa.simulator.SimHttp.parse;
import static dev.moa.simulator.SimHttp.request;
import static dev.moa.simulator.SimHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulatorRateLimitTest {

  private static Simulator start(long rpm, long tpm, Duration window) {
    return Simulator.start(
        SimulatorOptions.builder()
            .defaultProfile(Profile.INSTANT)
            .rpm(rpm)
            .tpm(tpm)
            .limitWindow(window)
            .build());
  }

  /** "Be concise." (7 tokens) + "hi" (5 tokens) + max_completion_tokens 100 = 112 tokens. */
  private static HttpResponse<String> call(Simulator sim, String key) {
    HttpRequest.Builder b =
        request(sim, "/chat/completions").header("content-type", "application/json");
    if (key != null) {
      b.header("authorization", "Bearer " + key);
    }
    String body =
        JSON.writeValueAsString(chat("llama3.1-8b", "hi").put("max_completion_tokens", 100));
    return send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static String header(HttpResponse<?> res, String name) {
    return res.headers().firstValue(name).orElse(null);
  }

  @Test
  void requestsPerKeyAndWindowWithCerebrasHeaders() {
    try (Simulator sim = start(3, 0, Duration.ofSeconds(30))) {
      for (int i = 1; i <= 3; i++) {
        HttpResponse<String> ok = call(sim, "sk-alpha-secret");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(header(ok, "x-ratelimit-limit-requests-minute")).isEqualTo("3");
        assertThat(header(ok, "x-ratelimit-remaining-requests-minute"))
            .isEqualTo(Integer.toString(3 - i));
        double reset = Double.parseDouble(header(ok, "x-ratelimit-reset-requests-minute"));
        assertThat(reset).isGreaterThan(0).isLessThanOrEqualTo(30);
        assertThat(header(ok, "x-ratelimit-limit-tokens-minute")).isNull();
      }
      HttpResponse<String> refused = call(sim, "sk-alpha-secret");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(header(refused, "x-ratelimit-remaining-requests-minute")).isEqualTo("0");
      long ms = Long.parseLong(header(refused, "retry-after-ms"));
      assertThat(ms).isBetween(1L, 30_000L);
      assertThat(Long.parseLong(header(refused, "retry-after"))).isEqualTo((ms + 999) / 1000);
      assertThat(parse(refused.body()).get("error").get("message").asString())
          .contains("Requests per minute limit exceeded");

      // Another key, and no key at all, have windows of their own.
      assertThat(call(sim, "sk-beta-secret").statusCode()).isEqualTo(200);
      assertThat(call(sim, null).statusCode()).isEqualTo(200);

      SimulatorStats stats = sim.stats();
      assertThat(stats.rateLimited()).isEqualTo(1);
      assertThat(stats.faults("429")).isZero();
      String alpha = RateLimits.keyId("sk-alpha-secret");
      assertThat(stats.keys()).containsKeys(alpha, RateLimits.keyId("sk-beta-secret"), "anonymous");
      assertThat(stats.keys().get(alpha)).isEqualTo(new SimulatorStats.KeyStats(3, 336, 1));
      String statsJson = get(sim, "/simulator/stats").body();
      assertThat(statsJson).contains("\"rateLimited\":1").doesNotContain("sk-alpha-secret");

      String metrics =
          send(HttpRequest.newBuilder(java.net.URI.create(sim.metricsUrl())).GET().build()).body();
      assertThat(metrics)
          .contains("moa_simulator_rate_limited_total{key=\"" + alpha + "\"} 1")
          .contains("moa_simulator_admitted_tokens_total{key=\"" + alpha + "\"} 336")
          .doesNotContain("sk-alpha-secret")
          .doesNotContain("sk-beta-secret");
    }
  }

  @Test
  void tokensCountInputPlusMaxCompletionTokensAtAdmission() {
    try (Simulator sim = start(0, 250, Duration.ofSeconds(30))) {
      HttpResponse<String> first = call(sim, "k1");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(header(first, "x-ratelimit-limit-tokens-minute")).isEqualTo("250");
      assertThat(header(first, "x-ratelimit-remaining-tokens-minute")).isEqualTo("138");
      assertThat(header(first, "x-ratelimit-reset-tokens-minute")).matches("\\d+\\.\\d{3}");
      assertThat(header(first, "x-ratelimit-limit-requests-minute")).isNull();
      assertThat(header(call(sim, "k1"), "x-ratelimit-remaining-tokens-minute")).isEqualTo("26");
      HttpResponse<String> refused = call(sim, "k1");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(parse(refused.body()).get("error").get("message").asString())
          .contains("Tokens per minute limit exceeded")
          .contains("counts 112");
      // A refused request consumes nothing.
      assertThat(header(refused, "x-ratelimit-remaining-tokens-minute")).isEqualTo("26");
    }
  }

  @Test
  void theWindowResetsAfterRetryAfter() throws InterruptedException {
    try (Simulator sim = start(1, 0, Duration.ofMillis(400))) {
      HttpResponse<String> ok = call(sim, null);
      HttpResponse<String> refused = call(sim, null);
      if (ok.statusCode() == 200 && refused.statusCode() == 429) {
        Thread.sleep(Long.parseLong(header(refused, "retry-after-ms")) + 20);
      } else {
        // The window rolled over between the two calls: the second one was a new window's first.
        assertThat(refused.statusCode()).isEqualTo(200);
        Thread.sleep(400);
      }
      assertThat(call(sim, null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withoutLimitsNoRateLimitHeaders() {
    try (Simulator sim = start(0, 0, Duration.ofMinutes(1))) {
      HttpResponse<String> ok = call(sim, "k");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().map().keySet()).noneMatch(h -> h.startsWith("x-ratelimit"));
      assertThat(sim.stats().keys()).isEmpty();
    }
  }

  @Test
  void badLimitsNameTheField() {
    assertThatThrownBy(() -> SimulatorOptions.builder().rpm(-1).build())
        .hasMessageContaining("rpm: -1");
    assertThatThrownBy(() -> SimulatorOptions.builder().tpm(-5).build())
        .hasMessageContaining("tpm: -5");
    assertThatThrownBy(() -> SimulatorOptions.builder().limitWindow(Duration.ZERO).build())
        .hasMessageContaining("limitWindow: PT0S");
  }

  @Test
  void keyIdsHideTheKey() {
    assertThat(RateLimits.keyId(null)).isEqualTo("anonymous");
    assertThat(RateLimits.keyId("sk-abc")).startsWith("key-").hasSize(16).doesNotContain("abc");
    assertThat(RateLimits.bearer("Bearer  sk-x ")).isEqualTo("sk-x");
    assertThat(RateLimits.bearer("bearer sk-y")).isEqualTo("sk-y");
    assertThat(RateLimits.bearer("Basic abc")).isNull();
    assertThat(RateLimits.bearer(null)).isNull();
  }
}
