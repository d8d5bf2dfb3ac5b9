package dev.moa.provider;

import static dev.moa.provider.StubServer.chunk;
import static dev.moa.provider.StubServer.errorBody;
import static dev.moa.provider.StubServer.finish;
import static dev.moa.provider.StubServer.ok;
import static dev.moa.provider.StubServer.sse;
import static dev.moa.provider.StubServer.sseRaw;
import static dev.moa.provider.StubServer.stall;
import static dev.moa.provider.StubServer.status;
import static dev.moa.provider.StubServer.usageWithTimeInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

class ProviderClientTest {
  private static final String KEY = "sk-FAKE-7f3a9c-DO-NOT-PRINT";
  private static final ChatRequest REQUEST =
      new ChatRequest(
          "stub-model",
          List.of(ChatMessage.system("be brief"), ChatMessage.user("say hello")),
          0.3,
          64,
          null);

  record Retry(Endpoint endpoint, String model, int attempt, ErrorClass cause, Duration delay) {}

  /** Records both stream and retry callbacks. */
  static final class Recorder implements StreamListener {
    final List<Integer> attemptStarts = new CopyOnWriteArrayList<>();
    final List<String> deltas = new CopyOnWriteArrayList<>();

    @Override
    public void onAttemptStart(int attempt) {
      attemptStarts.add(attempt);
      deltas.clear();
    }

    @Override
    public void onDelta(String delta) {
      deltas.add(delta);
    }
  }

  private final List<Retry> retries = new CopyOnWriteArrayList<>();
  private StubServer stub;
  private ProviderClient client;
  private Endpoint endpoint;

  /**
   * The first call in a JVM is slow (class loading, JIT); keep it out of timing-sensitive tests.
   */
  @BeforeAll
  static void warmUp() {
    try (StubServer s = new StubServer();
        ProviderClient c = new ProviderClient()) {
      s.enqueue(ok("warm"));
      assertThat(awaitOutcome(c.chat(new Endpoint("warm", s.baseUrl(), null), REQUEST, null)))
          .isInstanceOf(CallOutcome.Succeeded.class);
    }
  }

  @BeforeEach
  void start() {
    stub = new StubServer();
    endpoint = new Endpoint("stub", stub.baseUrl(), KEY);
    client = newClient(b -> b);
  }

  @AfterEach
  void stop() {
    client.close();
    stub.close();
  }

  private ProviderClient newClient(UnaryOperator<ProviderClientOptions.Builder> tweak) {
    ProviderClientOptions.Builder b =
        ProviderClientOptions.builder()
            .idleTimeout(Duration.ofSeconds(5))
            .callTimeout(Duration.ofSeconds(20))
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(4)
                    .baseDelay(Duration.ofMillis(20))
                    .maxDelay(Duration.ofMillis(100))
                    .build())
            .retryListener(
                (ep, model, attempt, cause, delay) ->
                    retries.add(new Retry(ep, model, attempt, cause, delay)));
    return new ProviderClient(tweak.apply(b).build());
  }

  private void replaceClient(UnaryOperator<ProviderClientOptions.Builder> tweak) {
    client.close();
    client = newClient(tweak);
  }

  private static CallOutcome awaitOutcome(CompletableFuture<CallOutcome> f) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .until(f::isDone);
    assertThat(f).isNotCompletedExceptionally();
    return f.join();
  }

  private CallOutcome call(StreamListener listener) {
    return awaitOutcome(client.chat(endpoint, REQUEST, listener));
  }

  private static CallOutcome.Succeeded succeeded(CallOutcome o) {
    assertThat(o).isInstanceOf(CallOutcome.Succeeded.class);
    return (CallOutcome.Succeeded) o;
  }

  private static CallOutcome.Failed failed(CallOutcome o) {
    assertThat(o).isInstanceOf(CallOutcome.Failed.class);
    return (CallOutcome.Failed) o;
  }

  private List<ErrorClass> retryCauses() {
    return retries.stream().map(Retry::cause).toList();
  }

  @Test
  void streamedSuccessWithUsageAndTimeInfo() {
    stub.enqueue(
        sseRaw(
            Flux.concat(
                Flux.just(": keep-alive\n\n"),
                Flux.just(chunk("Hel"))
                    .delayElements(Duration.ofMillis(150))
                    .map(c -> "data: " + c + "\n\n"),
                Flux.just(chunk("lo"), finish("stop"), usageWithTimeInfo(17, 2), "[DONE]")
                    .map(c -> "data: " + c + "\n\n"))));
    Recorder rec = new Recorder();

    var ok = succeeded(call(rec));

    assertThat(ok.content()).isEqualTo("Hello");
    assertThat(ok.usage()).isEqualTo(new Usage(17, 2));
    assertThat(ok.finishReason()).isEqualTo("stop");
    assertThat(ok.model()).isEqualTo("stub-model");
    assertThat(ok.timings().attempts()).isEqualTo(1);
    assertThat(ok.timings().providerTimeInfo())
        .containsEntry("total_time", 0.06)
        .containsKeys("queue_time", "prompt_time", "completion_time");
    assertThat(ok.timings().ttftMs()).isBetween(140L, ok.timings().durationMs());
    assertThat(rec.attemptStarts).containsExactly(1);
    assertThat(rec.deltas).containsExactly("Hel", "lo");
    assertThat(retries).isEmpty();
  }

  @Test
  void requestBodyAndHeaders() {
    stub.enqueue(ok("hi"), ok("hi"));
    ChatRequest seeded = new ChatRequest("gpt-x", List.of(ChatMessage.user("q")), 0.0, 128, 42L);
    Endpoint slash = new Endpoint("stub", stub.baseUrl() + "/", KEY);
    succeeded(awaitOutcome(client.chat(slash, seeded, null)));
    succeeded(
        awaitOutcome(client.chat(new Endpoint("nokey", stub.baseUrl(), null), REQUEST, null)));

    var withKey = stub.requests().get(0);
    assertThat(withKey.method()).isEqualTo("POST");
    assertThat(withKey.uri()).isEqualTo("/v1/chat/completions");
    assertThat(withKey.header("authorization")).isEqualTo("Bearer " + KEY);
    assertThat(withKey.header("content-type")).startsWith("application/json");
    assertThat(withKey.header("accept")).isEqualTo("text/event-stream");
    JsonNode body = StubServer.JSON.readTree(withKey.body());
    assertThat(body.get("model").stringValue()).isEqualTo("gpt-x");
    assertThat(body.get("messages").get(0).get("role").stringValue()).isEqualTo("user");
    assertThat(body.get("messages").get(0).get("content").stringValue()).isEqualTo("q");
    assertThat(body.get("temperature").asDouble()).isEqualTo(0.0);
    assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(128);
    assertThat(body.get("max_tokens").asInt()).isEqualTo(128);
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("stream_options").get("include_usage").asBoolean()).isTrue();
    assertThat(body.get("seed").asLong()).isEqualTo(42L);

    var noKey = stub.requests().get(1);
    assertThat(noKey.header("authorization")).isNull();
    JsonNode body2 = StubServer.JSON.readTree(noKey.body());
    assertThat(body2.has("seed")).isFalse();
    assertThat(body2.get("messages")).hasSize(2);
  }

  @Test
  void rateLimitHonoursRetryAfterMs() {
    stub.enqueue(
        status(429, errorBody("Rate limit reached"), "retry-after-ms", "200", "retry-after", "9"),
        ok("after wait"));

    var ok = succeeded(call(null));

    assertThat(ok.content()).isEqualTo("after wait");
    assertThat(ok.timings().attempts()).isEqualTo(2);
    assertThat(ok.timings().durationMs()).isGreaterThanOrEqualTo(190);
    assertThat(retries).hasSize(1);
    Retry r = retries.get(0);
    assertThat(r.cause()).isEqualTo(ErrorClass.HTTP_429);
    assertThat(r.delay()).isEqualTo(Duration.ofMillis(200));
    assertThat(r.attempt()).isEqualTo(1);
    assertThat(r.model()).isEqualTo("stub-model");
    assertThat(r.endpoint()).isEqualTo(endpoint);
    assertThat(stub.requests()).hasSize(2);
  }

  @Test
  void serverErrorsAreRetried() {
    stub.enqueue(
        status(500, errorBody("internal")), status(503, "Service Unavailable"), ok("third time"));
    Recorder rec = new Recorder();

    var ok = succeeded(call(rec));

    assertThat(ok.content()).isEqualTo("third time");
    assertThat(ok.timings().attempts()).isEqualTo(3);
    assertThat(retryCauses()).containsExactly(ErrorClass.HTTP_5XX, ErrorClass.HTTP_5XX);
    assertThat(rec.attemptStarts).containsExactly(1, 2, 3);
  }

  @Test
  void badRequestIsNotRetried() {
    stub.enqueue(
        status(400, errorBody("Invalid value for 'temperature': must be <= 2")), ok("never"));

    var f = failed(call(null));

    assertThat(f.errorClass()).isEqualTo(ErrorClass.HTTP_4XX);
    assertThat(f.httpStatus()).isEqualTo(400);
    assertThat(f.message())
        .contains("400")
        .contains("Invalid value for 'temperature': must be <= 2");
    assertThat(f.timings().attempts()).isEqualTo(1);
    assertThat(stub.requests()).hasSize(1);
    assertThat(retries).isEmpty();
  }

  @Test
  void longServerMessagesAreTruncated() {
    stub.enqueue(status(422, errorBody("x".repeat(5000))));
    var f = failed(call(null));
    assertThat(f.message().length()).isBetween(300, 400);
  }

  @Test
  void truncatedStreamIsRetried() {
    stub.enqueue(sse(chunk("partial ans")), ok("full answer"));
    Recorder rec = new Recorder();

    var ok = succeeded(call(rec));

    assertThat(ok.content()).isEqualTo("full answer");
    assertThat(ok.timings().attempts()).isEqualTo(2);
    assertThat(retryCauses()).containsExactly(ErrorClass.TRUNCATED_STREAM);
    assertThat(rec.attemptStarts).containsExactly(1, 2);
    assertThat(rec.deltas).containsExactly("full answer");
  }

  @Test
  void malformedChunkIsRetried() {
    stub.enqueue(sse(chunk("a"), "{not json", "[DONE]"), ok("fine"));

    var ok = succeeded(call(null));

    assertThat(ok.content()).isEqualTo("fine");
    assertThat(retryCauses()).containsExactly(ErrorClass.MALFORMED_STREAM);
  }

  @Test
  void errorInsideStreamIsRetried() {
    stub.enqueue(
        sse(chunk("a"), "{\"error\":{\"message\":\"upstream died\",\"code\":502}}"), ok("fine"));

    var ok = succeeded(call(null));

    assertThat(ok.content()).isEqualTo("fine");
    assertThat(retryCauses()).containsExactly(ErrorClass.HTTP_5XX);
  }

  @Test
  void stalledStreamsTimeOutAndAreRetried() {
    replaceClient(b -> b.idleTimeout(Duration.ofMillis(300)));
    // One stalls mid-stream, one never sends a byte; the third succeeds.
    stub.enqueue(stall(chunk("a")), StubServer.silent(), ok("recovered"));

    var ok = succeeded(call(null));

    assertThat(ok.content()).isEqualTo("recovered");
    assertThat(ok.timings().attempts()).isEqualTo(3);
    assertThat(retryCauses()).containsExactly(ErrorClass.TIMEOUT, ErrorClass.TIMEOUT);
    assertThat(ok.timings().durationMs()).isGreaterThanOrEqualTo(600);
  }

  @Test
  void allAttemptsFailingReportsTheLastClass() {
    replaceClient(
        b ->
            b.retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .baseDelay(Duration.ofMillis(10))
                    .maxDelay(Duration.ofMillis(50))
                    .build()));
    stub.enqueue(
        status(500, errorBody("a")),
        status(502, errorBody("b")),
        status(429, errorBody("too many requests, slow down")));

    var f = failed(call(null));

    assertThat(f.errorClass()).isEqualTo(ErrorClass.HTTP_429);
    assertThat(f.httpStatus()).isEqualTo(429);
    assertThat(f.message()).contains("too many requests");
    assertThat(f.timings().attempts()).isEqualTo(3);
    assertThat(stub.requests()).hasSize(3);
    assertThat(retryCauses()).containsExactly(ErrorClass.HTTP_5XX, ErrorClass.HTTP_5XX);
  }

  @Test
  void connectionRefused() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Endpoint closed = new Endpoint("down", "http://127.0.0.1:" + port + "/v1", KEY);

    var f = failed(awaitOutcome(client.chat(closed, REQUEST, null)));

    assertThat(f.errorClass()).isEqualTo(ErrorClass.CONNECTION);
    assertThat(f.httpStatus()).isNull();
    assertThat(f.timings().attempts()).isEqualTo(4);
    assertThat(retryCauses()).containsOnly(ErrorClass.CONNECTION).hasSize(3);
    assertThat(f.message()).doesNotContain(KEY);
  }

  @Test
  void callTimeoutBoundsTheWholeCall() {
    replaceClient(b -> b.callTimeout(Duration.ofMillis(500)).idleTimeout(Duration.ofSeconds(10)));
    stub.enqueue(stall(chunk("slow")));

    var f = failed(call(null));

    assertThat(f.errorClass()).isEqualTo(ErrorClass.TIMEOUT);
    assertThat(f.message()).contains("callTimeout");
    assertThat(f.timings().attempts()).isEqualTo(1);
    assertThat(f.timings().durationMs()).isBetween(450L, 5_000L);
  }

  @Test
  void nonStreamedJsonAnswerIsAccepted() {
    stub.enqueue(
        StubServer.json(
            "{\"model\":\"m2\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"plain\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}"));
    var ok = succeeded(call(null));
    assertThat(ok.content()).isEqualTo("plain");
    assertThat(ok.usage()).isEqualTo(new Usage(5, 1));
    assertThat(ok.model()).isEqualTo("m2");
  }

  @Test
  void streamWithoutUsageReportsZeros() {
    stub.enqueue(sse(chunk("x"), finish("stop"), "[DONE]"));
    var ok = succeeded(call(null));
    assertThat(ok.usage()).isEqualTo(Usage.ZERO);
    assertThat(ok.timings().providerTimeInfo()).isEmpty();
  }

  @Test
  void throwingListenerDoesNotBreakTheCall() {
    stub.enqueue(ok("fine"));
    StreamListener bad =
        new StreamListener() {
          @Override
          public void onDelta(String delta) {
            throw new IllegalStateException("listener bug");
          }
        };
    Logger logger = (Logger) LoggerFactory.getLogger(ProviderClient.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    logger.setAdditive(false); // the expected WARN would only clutter the build output
    try {
      assertThat(succeeded(call(bad)).content()).isEqualTo("fine");
      assertThat(logs.list).anyMatch(e -> e.getLevel() == Level.WARN);
    } finally {
      logger.detachAppender(logs);
      logger.setAdditive(true);
    }
  }

  @Test
  void closedClientFailsCleanly() {
    client.close();
    var f = failed(call(null));
    assertThat(f.errorClass()).isEqualTo(ErrorClass.INTERNAL);
    assertThat(f.timings().attempts()).isZero();
  }

  @Test
  void apiKeyNeverLeaks() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.moa.provider");
    Level before = logger.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    logger.setLevel(Level.DEBUG);
    logger.setAdditive(false);
    try {
      String echo = "Incorrect API key provided: " + KEY;
      stub.enqueue(
          status(500, errorBody(echo)),
          sse(chunk("a"), "{\"error\":{\"message\":\"" + echo + "\"}}"),
          sse("{bad json " + KEY),
          // The key straddles the 300-char cut: it must not leak even in part.
          status(401, errorBody("y".repeat(290) + echo.substring(echo.indexOf(KEY)))));

      var f = failed(call(null));

      assertThat(f.errorClass()).isEqualTo(ErrorClass.HTTP_4XX);
      assertThat(f.timings().attempts()).isEqualTo(4);
      assertThat(f.message()).doesNotContain(KEY).doesNotContain("sk-FAKE");
      assertThat(f.toString()).doesNotContain(KEY);
      assertThat(endpoint.toString()).doesNotContain(KEY).doesNotContain("sk-");
      assertThat(logs.list).isNotEmpty();
      for (ILoggingEvent e : logs.list) {
        assertThat(e.getFormattedMessage()).doesNotContain(KEY);
      }
      assertThat(logs.list.get(0).getFormattedMessage()).contains("***");
    } finally {
      logger.detachAppender(logs);
      logger.setLevel(before);
      logger.setAdditive(true);
    }
  }
}
