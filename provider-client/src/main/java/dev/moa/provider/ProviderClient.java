package dev.moa.provider;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.codec.CodecException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Streaming client for OpenAI-compatible {@code /chat/completions} endpoints, with retries and
 * timeouts. Fully non-blocking: thousands of calls can be in flight on a few I/O threads. One
 * instance is meant to be shared; it is thread-safe.
 *
 * <p>Every attempt first asks the provider's circuit breaker ({@link CircuitBreakerSettings}), then
 * reserves its tokens from the {@link RateGate}; the gate hears each response's status and headers.
 * The first attempt's wait in the gate is not part of {@code callTimeout}: a call queued behind a
 * rate limit has not started yet.
 */
public final class ProviderClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProviderClient.class);
  private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
      new ParameterizedTypeReference<>() {};
  private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;
  // After [DONE] we wait this long for the response to end (so the connection can be reused).
  private static final Duration DONE_GRACE = Duration.ofSeconds(1);

  private final ProviderClientOptions options;
  private final ConnectionProvider pool;
  private final WebClient web;
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final CircuitBreakerConfig breakerConfig;

  /** The "permit" of an attempt the open circuit breaker refused: it is never sent. */
  private static final RateGate.Permit REFUSED =
      new RateGate.Permit() {
        @Override
        public void responded(int status, Function<String, String> header) {}

        @Override
        public void noResponse() {}
      };

  public ProviderClient() {
    this(ProviderClientOptions.defaults());
  }

  public ProviderClient(ProviderClientOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    CircuitBreakerSettings cb = options.circuitBreaker();
    this.breakerConfig =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(cb.window())
            .minimumNumberOfCalls(cb.minimumCalls())
            .failureRateThreshold(cb.failureRatePercent())
            .waitDurationInOpenState(cb.openFor())
            .permittedNumberOfCallsInHalfOpenState(cb.halfOpenCalls())
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .writableStackTraceEnabled(false)
            .build();
    this.pool =
        ConnectionProvider.builder("moa-provider")
            .maxConnections(options.maxConnections())
            .pendingAcquireMaxCount(Math.max(16_384, options.maxConnections() * 16))
            .pendingAcquireTimeout(options.callTimeout())
            .maxIdleTime(Duration.ofSeconds(30))
            .maxLifeTime(Duration.ofMinutes(10))
            .build();
    HttpClient http =
        HttpClient.create(pool)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
    this.web =
        WebClient.builder()
            .clientConnector(new ReactorClientHttpConnector(http))
            .codecs(c -> c.defaultCodecs().maxInMemorySize(MAX_EVENT_BYTES))
            .build();
  }

  public ProviderClientOptions options() {
    return options;
  }

  /**
   * The state of a provider's circuit breaker: {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN};
   * also {@code CLOSED} before its first call or without breakers.
   */
  public String circuitState(String providerName) {
    CircuitBreaker cb = breakers.get(providerName);
    return cb == null ? "CLOSED" : cb.getState().name();
  }

  /** The breaker of a provider; null when breakers are disabled. */
  private CircuitBreaker breaker(Endpoint endpoint) {
    if (!options.circuitBreaker().enabled()) {
      return null;
    }
    return breakers.computeIfAbsent(
        endpoint.providerName(),
        name -> {
          CircuitBreaker cb = CircuitBreaker.of("moa-provider-" + name, breakerConfig);
          RetryListener listener = options.retryListener();
          cb.getEventPublisher()
              .onStateTransition(
                  e -> listener.onCircuitState(name, e.getStateTransition().getToState().name()));
          listener.onCircuitState(name, cb.getState().name());
          return cb;
        });
  }

  /** Asks the breaker, then reserves the attempt's tokens from the rate gate. */
  private Mono<RateGate.Permit> admit(Call call) {
    return Mono.defer(
        () -> {
          CircuitBreaker cb = breaker(call.endpoint);
          if (cb != null && !cb.tryAcquirePermission()) {
            return Mono.just(REFUSED);
          }
          return Mono.fromFuture(
              () -> options.rateGate().acquire(call.endpoint, call.request.model(), call.tokens));
        });
  }

  /**
   * Streams one chat completion, retrying per the {@link RetryPolicy}.
   *
   * @param listener told about each attempt and content delta; null for none
   * @return a future that always completes normally with a {@link CallOutcome}; cancelling it
   *     aborts the call
   */
  public CompletableFuture<CallOutcome> chat(
      Endpoint endpoint, ChatRequest request, StreamListener listener) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(request, "request");
    Call call = new Call(endpoint, request, listener == null ? StreamListener.none() : listener);
    if (closed.get()) {
      return CompletableFuture.completedFuture(
          call.failed(new AttemptFailure(ErrorClass.INTERNAL, "ProviderClient is closed")));
    }
    try {
      call.uri = URI.create(endpoint.chatCompletionsUrl());
      call.body = requestBody(request);
      call.tokens = TokenEstimate.of(request);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          call.failed(
              new AttemptFailure(
                  ErrorClass.INTERNAL,
                  "cannot build request for " + endpoint.providerName() + ": " + e.getMessage())));
    }
    Duration callTimeout = options.callTimeout();
    return admit(call)
        .flatMap(
            permit ->
                attemptLoop(call, 1, permit)
                    .timeout(
                        callTimeout,
                        Mono.fromSupplier(
                            () ->
                                call.failed(
                                    new AttemptFailure(
                                        ErrorClass.TIMEOUT,
                                        "call to "
                                            + endpoint.providerName()
                                            + " exceeded callTimeout of "
                                            + callTimeout.toMillis()
                                            + " ms")))))
        .onErrorResume(
            e ->
                Mono.just(
                    call.failed(
                        new AttemptFailure(
                            ErrorClass.INTERNAL, "unexpected client error: " + describe(e)))))
        .toFuture();
  }

  /** Disposes the connection pool; calls in flight fail. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      pool.dispose();
    }
  }

  String requestBody(ChatRequest r) {
    ObjectNode body = mapper.createObjectNode();
    body.put("model", r.model());
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage m : r.messages()) {
      messages.addObject().put("role", m.role()).put("content", m.content());
    }
    body.put("temperature", r.temperature());
    body.put("max_completion_tokens", r.maxTokens());
    body.put("max_tokens", r.maxTokens());
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    if (r.seed() != null) {
      body.put("seed", r.seed().longValue());
    }
    return mapper.writeValueAsString(body);
  }

  private Mono<CallOutcome> attemptLoop(Call call, int attempt, RateGate.Permit permit) {
    return runAttempt(call, attempt, permit)
        .flatMap(
            result -> {
              if (result.failure == null) {
                return Mono.just(call.succeeded(result));
              }
              AttemptFailure f = result.failure;
              var delay =
                  options
                      .retryPolicy()
                      .delayBeforeRetry(
                          attempt, f.errorClass(), f.responseHeader(), ThreadLocalRandom.current());
              if (delay.isEmpty()) {
                return Mono.just(call.failed(f));
              }
              Duration d = delay.get();
              if (log.isDebugEnabled()) {
                log.debug(
                    "provider={} model={} attempt {} failed ({}): {}; retrying in {} ms",
                    call.endpoint.providerName(),
                    call.request.model(),
                    attempt,
                    f.errorClass().wireName(),
                    call.endpoint.redact(f.getMessage()),
                    d.toMillis());
              }
              try {
                options
                    .retryListener()
                    .onRetry(call.endpoint, call.request.model(), attempt, f.errorClass(), d);
              } catch (RuntimeException e) {
                log.warn("RetryListener threw; ignored", e);
              }
              return Mono.delay(d)
                  .then(admit(call))
                  .flatMap(next -> attemptLoop(call, attempt + 1, next));
            });
  }

  private Mono<AttemptResult> runAttempt(Call call, int attemptNo, RateGate.Permit permit) {
    return Mono.defer(
        () -> {
          if (closed.get()) {
            permit.noResponse();
            return Mono.just(
                AttemptResult.failure(
                    call.lastAttempt,
                    new AttemptFailure(ErrorClass.INTERNAL, "ProviderClient is closed")));
          }
          if (permit == REFUSED) {
            call.attempts = attemptNo;
            return Mono.just(
                AttemptResult.failure(
                    call.lastAttempt,
                    new AttemptFailure(
                        ErrorClass.CIRCUIT_OPEN,
                        "circuit breaker of "
                            + call.endpoint.providerName()
                            + " is open: too many of its recent attempts failed")));
          }
          Attempt a =
              new Attempt(
                  System.nanoTime(), new StreamAccumulator(mapper, call.endpoint::redact), permit);
          call.attempts = attemptNo;
          call.lastAttempt = a;
          try {
            call.listener.onAttemptStart(attemptNo);
          } catch (RuntimeException e) {
            log.warn("StreamListener.onAttemptStart threw; ignored", e);
          }
          Duration idle = options.idleTimeout();
          return web.post()
              .uri(call.uri)
              .headers(h -> headers(h, call.endpoint))
              .bodyValue(call.body)
              .exchangeToFlux(response -> events(response, a, call))
              .timeout(
                  Mono.delay(idle),
                  ev ->
                      StreamAccumulator.DONE.equals(strip(ev.data()))
                          ? Mono.delay(DONE_GRACE.compareTo(idle) < 0 ? DONE_GRACE : idle)
                          : Mono.delay(idle))
              .doOnNext(ev -> onEvent(ev, a, call.listener))
              .then(Mono.fromCallable(() -> AttemptResult.success(a)))
              .onErrorResume(
                  e ->
                      Mono.just(
                          a.acc.isDone()
                              ? AttemptResult.success(a) // late error after [DONE]: irrelevant
                              : AttemptResult.failure(a, classify(e, a, call))))
              .doOnNext(r -> settle(call, a, r))
              .doOnCancel(() -> a.settlePermit(-1, null));
        });
  }

  /** Tells the gate (if the response did not) and the breaker how the attempt ended. */
  private void settle(Call call, Attempt a, AttemptResult r) {
    a.settlePermit(-1, null);
    CircuitBreaker cb = breaker(call.endpoint);
    if (cb == null) {
      return;
    }
    long nanos = System.nanoTime() - a.startNanos;
    if (r.failure == null) {
      cb.onSuccess(nanos, TimeUnit.NANOSECONDS);
    } else if (r.failure.errorClass().providerFault()) {
      cb.onError(nanos, TimeUnit.NANOSECONDS, r.failure);
    } else {
      cb.releasePermission();
    }
  }

  private static void headers(HttpHeaders h, Endpoint endpoint) {
    h.setContentType(MediaType.APPLICATION_JSON);
    h.set(HttpHeaders.ACCEPT, MediaType.TEXT_EVENT_STREAM_VALUE);
    if (endpoint.hasApiKey()) {
      h.setBearerAuth(endpoint.apiKey());
    }
  }

  private Flux<ServerSentEvent<String>> events(ClientResponse response, Attempt a, Call call) {
    int status = response.statusCode().value();
    HttpHeaders headers = response.headers().asHttpHeaders();
    Function<String, String> header = headers::getFirst;
    a.settlePermit(status, header);
    if (status < 200 || status > 299) {
      return response
          .bodyToMono(String.class)
          .onErrorResume(e -> Mono.empty())
          .defaultIfEmpty("")
          .flatMapMany(
              body ->
                  Flux.error(
                      new AttemptFailure(
                          ErrorClass.fromHttpStatus(status),
                          "HTTP "
                              + status
                              + " from "
                              + call.endpoint.providerName()
                              + ": "
                              + ErrorText.truncate(
                                  call.endpoint.redact(ErrorText.fromBody(mapper, body))),
                          status,
                          header)));
    }
    a.responseReceived = true;
    MediaType type = response.headers().contentType().orElse(null);
    if (type != null && MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
      // The server ignored stream=true and sent one JSON completion: treat it as one chunk.
      return response
          .bodyToMono(String.class)
          .map(body -> ServerSentEvent.<String>builder(body).build())
          .flux();
    }
    return response.bodyToFlux(SSE);
  }

  private static void onEvent(ServerSentEvent<String> ev, Attempt a, StreamListener listener) {
    String data = ev.data();
    if (data == null) {
      return; // comment / keep-alive
    }
    String delta = a.acc.accept(data);
    if (!delta.isEmpty()) {
      if (a.firstDeltaNanos == 0) {
        a.firstDeltaNanos = System.nanoTime();
      }
      try {
        listener.onDelta(delta);
      } catch (RuntimeException e) {
        log.warn("StreamListener.onDelta threw; ignored", e);
      }
    }
  }

  private AttemptFailure classify(Throwable e, Attempt a, Call call) {
    if (e instanceof AttemptFailure f) {
      return f;
    }
    String provider = call.endpoint.providerName();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AttemptFailure f) {
        return f;
      }
      if (t instanceof TimeoutException) {
        return new AttemptFailure(
            ErrorClass.TIMEOUT,
            (a.responseReceived ? "no stream data from " : "no response from ")
                + provider
                + " within idleTimeout of "
                + options.idleTimeout().toMillis()
                + " ms");
      }
      if (t instanceof PrematureCloseException) {
        return a.responseReceived
            ? new AttemptFailure(
                ErrorClass.TRUNCATED_STREAM, provider + " closed the connection mid-stream")
            : new AttemptFailure(
                ErrorClass.CONNECTION,
                provider + " closed the connection before responding: " + t.getMessage());
      }
      if (t instanceof ConnectTimeoutException) {
        return new AttemptFailure(
            ErrorClass.CONNECTION,
            "connect to "
                + provider
                + " timed out after "
                + options.connectTimeout().toMillis()
                + " ms");
      }
      if (t instanceof DataBufferLimitException || t instanceof CodecException) {
        return new AttemptFailure(
            ErrorClass.MALFORMED_STREAM,
            "undecodable stream from " + provider + ": " + describe(t));
      }
      if (t instanceof IOException) {
        return new AttemptFailure(
            ErrorClass.CONNECTION, "connection to " + provider + " failed: " + describe(t));
      }
    }
    String name = e.getClass().getName();
    if (name.startsWith("reactor.netty.") || name.startsWith("io.netty.")) {
      // e.g. pool acquire timeouts and other transport failures
      return new AttemptFailure(
          ErrorClass.CONNECTION, "connection to " + provider + " failed: " + describe(e));
    }
    return new AttemptFailure(
        ErrorClass.INTERNAL, "call to " + provider + " failed: " + describe(e));
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  private static String strip(String s) {
    return s == null ? null : s.strip();
  }

  private static long millisSince(long startNanos, long endNanos) {
    return (endNanos - startNanos) / 1_000_000L;
  }

  /** Mutable state of one call; attempts run one after another, so fields are just volatile. */
  private static final class Call {
    final Endpoint endpoint;
    final ChatRequest request;
    final StreamListener listener;
    final long startNanos = System.nanoTime();
    URI uri;
    String body;
    long tokens;
    volatile int attempts;
    volatile Attempt lastAttempt;

    Call(Endpoint endpoint, ChatRequest request, StreamListener listener) {
      this.endpoint = endpoint;
      this.request = request;
      this.listener = listener;
    }

    CallOutcome.Succeeded succeeded(AttemptResult r) {
      long now = System.nanoTime();
      StreamAccumulator.Completion c = r.completion;
      return CallOutcome.succeeded(
          c.content(),
          c.usage(),
          new CallTimings(r.attempt.ttftMs(), millisSince(startNanos, now), c.timeInfo(), attempts),
          c.finishReason(),
          c.model() != null ? c.model() : request.model());
    }

    CallOutcome.Failed failed(AttemptFailure f) {
      long now = System.nanoTime();
      Attempt last = lastAttempt;
      return CallOutcome.failed(
          f.errorClass(),
          endpoint.redact(f.getMessage()),
          f.httpStatus(),
          new CallTimings(
              last == null ? -1 : last.ttftMs(), millisSince(startNanos, now), Map.of(), attempts));
    }
  }

  private static final class Attempt {
    final long startNanos;
    final StreamAccumulator acc;
    final RateGate.Permit permit;
    final AtomicBoolean permitSettled = new AtomicBoolean();
    volatile boolean responseReceived;
    volatile long firstDeltaNanos;

    Attempt(long startNanos, StreamAccumulator acc, RateGate.Permit permit) {
      this.startNanos = startNanos;
      this.acc = acc;
      this.permit = permit;
    }

    /** Tells the permit once: the response's status and headers, or (status < 0) none came. */
    void settlePermit(int status, Function<String, String> header) {
      if (!permitSettled.compareAndSet(false, true)) {
        return;
      }
      try {
        if (status < 0) {
          permit.noResponse();
        } else {
          permit.responded(status, header);
        }
      } catch (RuntimeException e) {
        log.warn("RateGate permit threw; ignored", e);
      }
    }

    long ttftMs() {
      long first = firstDeltaNanos;
      return first == 0 ? -1 : millisSince(startNanos, first);
    }
  }

  private static final class AttemptResult {
    final Attempt attempt;
    final StreamAccumulator.Completion completion;
    final AttemptFailure failure;

    private AttemptResult(
        Attempt attempt, StreamAccumulator.Completion completion, AttemptFailure failure) {
      this.attempt = attempt;
      this.completion = completion;
      this.failure = failure;
    }

    static AttemptResult success(Attempt a) {
      try {
        return new AttemptResult(a, a.acc.finish(), null);
      } catch (AttemptFailure f) {
        return new AttemptResult(a, null, f);
      }
    }

    static AttemptResult failure(Attempt a, AttemptFailure f) {
      return new AttemptResult(a, null, f);
    }
  }
}
