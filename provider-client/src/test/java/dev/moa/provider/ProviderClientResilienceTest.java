package dev.moa.provider;

import static dev.moa.provider.StubServer.chunk;
import static dev.moa.provider.StubServer.errorBody;
import static dev.moa.provider.StubServer.ok;
import static dev.moa.provider.StubServer.sse;
import static dev.moa.provider.StubServer.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every retryable cause is retried; the rate gate sees every attempt; the circuit breaker. */
class ProviderClientResilienceTest {
  private static final ChatRequest REQUEST =
      new ChatRequest(
          "gate-model",
          List.of(ChatMessage.system("be brief"), ChatMessage.user("say hello")),
          0.3,
          64,
          null);

  /** What a recording gate saw: one entry per attempt. */
  record Seen(String provider, String model, long tokens, Integer status, String remaining) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<ErrorClass> retries = new CopyOnWriteArrayList<>();
  private final List<String> circuitStates = new CopyOnWriteArrayList<>();
  private volatile CompletableFuture<Void> gateOpen = CompletableFuture.completedFuture(null);

  private final RateGate recordingGate =
      (endpoint, model, tokens) ->
          gateOpen.thenApply(
              ignored ->
                  new RateGate.Permit() {
                    @Override
                    public void responded(int status, Function<String, String> header) {
                      seen.add(
                          new Seen(
                              endpoint.providerName(),
                              model,
                              tokens,
                              status,
                              header.apply("x-ratelimit-remaining-tokens-minute")));
                    }

                    @Override
                    public void noResponse() {
                      seen.add(new Seen(endpoint.providerName(), model, tokens, null, null));
                    }
                  });

  private StubServer stub;
  private ProviderClient client;
  private Endpoint endpoint;

  @BeforeEach
  void start() {
    stub = new StubServer();
    endpoint = new Endpoint("stub", stub.baseUrl(), null);
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
            .idleTimeout(Duration.ofSeconds(2))
            .callTimeout(Duration.ofSeconds(20))
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(4)
                    .baseDelay(Duration.ofMillis(10))
                    .maxDelay(Duration.ofMillis(50))
                    .build())
            .rateGate(recordingGate)
            .retryListener(
                new RetryListener() {
                  @Override
                  public void onRetry(
                      Endpoint ep, String model, int attempt, ErrorClass cause, Duration delay) {
                    retries.add(cause);
                  }

                  @Override
                  public void onCircuitState(String provider, String state) {
                    circuitStates.add(provider + ":" + state);
                  }
                });
    return new ProviderClient(tweak.apply(b).build());
  }

  private CallOutcome call() {
    CompletableFuture<CallOutcome> f = client.chat(endpoint, REQUEST, null);
    await().atMost(Duration.ofSeconds(20)).until(f::isDone);
    return f.join();
  }

  @Test
  void everyRetryableStatusIsRetried() {
    stub.enqueue(
        status(408, errorBody("request timeout")),
        status(409, errorBody("conflict")),
        status(429, errorBody("slow down"), "retry-after-ms", "20"),
        status(502, errorBody("bad gateway")),
        ok("finally"));
    client.close();
    client =
        newClient(b -> b.retryPolicy(b.build().retryPolicy().toBuilder().maxAttempts(5).build()));

    CallOutcome o = call();

    assertThat(o).isInstanceOf(CallOutcome.Succeeded.class);
    assertThat(retries)
        .containsExactly(
            ErrorClass.HTTP_408, ErrorClass.HTTP_409, ErrorClass.HTTP_429, ErrorClass.HTTP_5XX);
    assertThat(stub.requests()).hasSize(5);
  }

  @Test
  void brokenStreamsAreRetried() {
    // Truncated (connection closes mid-stream), malformed chunk, stalled: each retried.
    stub.enqueue(
        sse(chunk("part")),
        sse(chunk("a"), "{\"choices\":[{\"delta\":{\"content\":", "[DONE]"),
        StubServer.stall(chunk("slow")),
        ok("whole"));

    CallOutcome o = call();

    assertThat(o).isInstanceOf(CallOutcome.Succeeded.class);
    assertThat(((CallOutcome.Succeeded) o).content()).isEqualTo("whole");
    assertThat(retries)
        .containsExactly(
            ErrorClass.TRUNCATED_STREAM, ErrorClass.MALFORMED_STREAM, ErrorClass.TIMEOUT);
  }

  @Test
  void theGateReservesEveryAttemptAndSeesEveryResponse() {
    stub.enqueue(
        status(
            429,
            errorBody("limit"),
            "retry-after-ms",
            "10",
            "x-ratelimit-remaining-tokens-minute",
            "0"),
        (StubServer.Reply)
            res ->
                res.header("x-ratelimit-remaining-tokens-minute", "4321")
                    .status(200)
                    .header("content-type", "text/event-stream")
                    .sendString(
                        reactor.core.publisher.Flux.just(
                            "data: " + chunk("hi") + "\n\n",
                            "data: " + StubServer.finish("stop") + "\n\n",
                            "data: [DONE]\n\n")));

    assertThat(call()).isInstanceOf(CallOutcome.Succeeded.class);

    long tokens = TokenEstimate.of(REQUEST);
    // "be brief" (8 chars: 2 + 4) + "say hello" (9 chars: 3 + 4) + max tokens 64
    assertThat(tokens).isEqualTo(6 + 7 + 64);
    assertThat(seen)
        .containsExactly(
            new Seen("stub", "gate-model", tokens, 429, "0"),
            new Seen("stub", "gate-model", tokens, 200, "4321"));
  }

  @Test
  void attemptsWaitForTheGateAndTheWaitIsNotPartOfTheCallTimeout() {
    client.close();
    client = newClient(b -> b.callTimeout(Duration.ofMillis(300)));
    gateOpen = new CompletableFuture<>();
    stub.enqueue(ok("after the wait"));
    CompletableFuture<CallOutcome> f = client.chat(endpoint, REQUEST, null);

    WorkerSleep.sleep(600);
    assertThat(f).isNotDone();
    assertThat(stub.requests()).isEmpty();
    gateOpen.complete(null);

    await().atMost(Duration.ofSeconds(5)).until(f::isDone);
    assertThat(f.join()).isInstanceOf(CallOutcome.Succeeded.class);
  }

  @Test
  void connectionFailuresTellTheGateThereWasNoResponse() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    endpoint = new Endpoint("down", "http://127.0.0.1:" + port + "/v1", null);

    CallOutcome o = call();

    assertThat(((CallOutcome.Failed) o).errorClass()).isEqualTo(ErrorClass.CONNECTION);
    assertThat(seen).hasSize(4).allMatch(s -> s.status() == null);
    assertThat(retries).containsOnly(ErrorClass.CONNECTION);
  }

  @Test
  void circuitBreakerOpensOnProviderFaultsAndClosesAfterATrial() {
    client.close();
    client =
        newClient(
            b ->
                b.circuitBreaker(
                        new CircuitBreakerSettings(true, 50f, 4, 4, Duration.ofMillis(400), 1))
                    .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()));
    stub.fallback(status(503, errorBody("down")));

    for (int i = 0; i < 4; i++) {
      assertThat(((CallOutcome.Failed) call()).errorClass()).isEqualTo(ErrorClass.HTTP_5XX);
    }
    assertThat(client.circuitState("stub")).isEqualTo("OPEN");
    int sent = stub.requests().size();

    CallOutcome refused = call();

    assertThat(((CallOutcome.Failed) refused).errorClass()).isEqualTo(ErrorClass.CIRCUIT_OPEN);
    assertThat(((CallOutcome.Failed) refused).message())
        .contains("circuit breaker of stub is open");
    assertThat(stub.requests()).hasSize(sent); // not sent
    assertThat(ErrorClass.CIRCUIT_OPEN.retryable()).isTrue();

    WorkerSleep.sleep(450);
    stub.fallback(ok("healthy again"));
    assertThat(call()).isInstanceOf(CallOutcome.Succeeded.class);
    assertThat(client.circuitState("stub")).isEqualTo("CLOSED");
    // The listener (metrics' circuit-state gauge) heard every state, from creation on.
    assertThat(circuitStates)
        .containsExactly("stub:CLOSED", "stub:OPEN", "stub:HALF_OPEN", "stub:CLOSED");
  }

  @Test
  void rateLimitsAndConflictsDoNotOpenTheBreaker() {
    client.close();
    client =
        newClient(
            b ->
                b.circuitBreaker(
                        new CircuitBreakerSettings(true, 50f, 4, 4, Duration.ofSeconds(5), 1))
                    .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()));
    stub.fallback(status(429, errorBody("limit"), "retry-after-ms", "1"));

    for (int i = 0; i < 6; i++) {
      assertThat(((CallOutcome.Failed) call()).errorClass()).isEqualTo(ErrorClass.HTTP_429);
    }
    assertThat(client.circuitState("stub")).isEqualTo("CLOSED");
  }

  /** Sleeps without a checked exception. */
  static final class WorkerSleep {
    static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
