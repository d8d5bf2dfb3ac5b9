package dev.moa.simulator;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI-compatible simulated inference server on reactor-netty. Responses are paced with timers
 * (never by blocking a thread), so thousands of streams can be open at once.
 *
 * <p>Endpoints: {@code POST /v1/chat/completions}, {@code GET /v1/models}, {@code GET
 * /v1/simulator/stats}. Every response carries {@code x-moa-simulated: true}.
 */
public final class Simulator implements AutoCloseable {

  /** Models listed by {@code /v1/models} even before anyone asked for them. */
  public static final List<String> KNOWN_MODELS =
      List.of(
          "llama-4-scout-17b-16e-instruct",
          "qwen-3-32b",
          "llama3.1-8b",
          "llama-3.3-70b",
          "gpt-oss-120b");

  static final String SYSTEM_FINGERPRINT = "moa-simulator";
  static final Duration STALL = Duration.ofMinutes(10);
  static final String MALFORMED_LINE = "data: {\"choices\":[{\"delta\":{\"content\":\n\n";
  static final String DONE_LINE = "data: [DONE]\n\n";

  private static final Logger log = LoggerFactory.getLogger(Simulator.class);

  private final SimulatorOptions options;
  private final JsonMapper json = JsonMapper.builder().build();
  private final ChatRequestParser parser = new ChatRequestParser(json);
  private final List<Consumer<ReceivedCall>> listeners = new CopyOnWriteArrayList<>();
  private final Set<String> seenModels = new LinkedHashSet<>();
  private final Random faultRandom;
  // Seeded from the clock so two simulators never hand out the same completion ids.
  private final AtomicLong idCounter = new AtomicLong(System.nanoTime());
  private final Sinks.Empty<Void> shutdown = Sinks.empty();
  private final AtomicBoolean closed = new AtomicBoolean();

  private final LongAdder requests = new LongAdder();
  private final LongAdder completed = new LongAdder();
  private final LongAdder promptTokens = new LongAdder();
  private final LongAdder completionTokens = new LongAdder();
  private final AtomicInteger running = new AtomicInteger();
  private final ApiKeyLedger keys = new ApiKeyLedger();
  private final SimulatorMetrics metrics = new SimulatorMetrics();
  private final Map<String, LongAdder> faults = new LinkedHashMap<>();
  private final LongAdder rateLimited = new LongAdder();
  private final RateLimits limits;

  private final LoopResources loops;
  private final DisposableServer server;

  private Simulator(SimulatorOptions options) {
    this.options = options;
    this.faultRandom = new Random(options.seed());
    this.limits =
        new RateLimits(options.rpm(), options.tpm(), options.limitWindow(), System::nanoTime);
    for (String kind : FaultRates.KINDS) {
      faults.put(kind, new LongAdder());
    }
    // Own event loops, so closing one simulator never disturbs other reactor-netty users.
    this.loops =
        LoopResources.create("moa-simulator", 1, LoopResources.DEFAULT_IO_WORKER_COUNT, true);
    try {
      this.server =
          HttpServer.create()
              .host(options.host())
              .port(options.port())
              .runOn(loops)
              .option(ChannelOption.SO_BACKLOG, 4096)
              .handle(this::handle)
              .bindNow(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      loops.dispose();
      throw new IllegalStateException(
          "Could not start simulator on " + options.host() + ":" + options.port() + ": " + e, e);
    }
  }

  public static Simulator start(SimulatorOptions options) {
    Simulator simulator = new Simulator(options);
    log.info(
        "Simulator listening on {} (profile {}, timeScale {}, faults '{}', rpm {}, tpm {} per {})",
        simulator.baseUrl(),
        options.defaultProfile().name(),
        options.timeScale(),
        options.faults().toSpec(),
        options.rpm(),
        options.tpm(),
        options.limitWindow());
    return simulator;
  }

  public int port() {
    return server.port();
  }

  /** {@code http://HOST:PORT/metrics}: vLLM-style metrics in the Prometheus text format. */
  public String metricsUrl() {
    String base = baseUrl();
    return base.substring(0, base.length() - "/v1".length()) + "/metrics";
  }

  /** {@code http://HOST:PORT/v1}; a wildcard bind address is reported as loopback. */
  public String baseUrl() {
    String host = options.host();
    if (host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    } else if (host.equals("::") || host.equals("[::]")) {
      host = "[::1]";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port() + "/v1";
  }

  public SimulatorOptions options() {
    return options;
  }

  /**
   * Time until the current {@code --rpm/--tpm} window ends; windows follow one another from the
   * simulator's start, the same for every key.
   */
  public Duration untilLimitWindowEnds() {
    return limits.untilWindowEnds();
  }

  /** Called for every valid chat request, before any fault is injected, on a server thread. */
  public void addListener(Consumer<ReceivedCall> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public SimulatorStats stats() {
    Map<String, Long> f = new LinkedHashMap<>();
    faults.forEach((kind, count) -> f.put(kind, count.sum()));
    Map<String, SimulatorStats.KeyStats> keys = new LinkedHashMap<>();
    limits
        .usage()
        .forEach(
            (id, u) ->
                keys.put(
                    id,
                    new SimulatorStats.KeyStats(
                        u.requestsAdmitted(), u.tokensAdmitted(), u.rateLimited())));
    return new SimulatorStats(
        requests.sum(),
        completed.sum(),
        f,
        promptTokens.sum(),
        completionTokens.sum(),
        running.get(),
        rateLimited.sum(),
        keys);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Ends paced and stalled responses so their connections do not outlive the server.
    shutdown.tryEmitEmpty();
    try {
      server.disposeNow(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      log.warn("Simulator server did not stop cleanly: {}", e.toString());
    }
    try {
      loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      log.warn("Simulator event loops did not stop cleanly: {}", e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Routing

  private Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
    res.header("x-moa-simulated", "true");
    String path = req.fullPath();
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    HttpMethod method = req.method();
    if (method.equals(HttpMethod.POST) && path.equals("/v1/chat/completions")) {
      return chat(req, res);
    }
    if (method.equals(HttpMethod.GET) && path.equals("/v1/models")) {
      return sendJson(res, 200, modelsJson());
    }
    if (method.equals(HttpMethod.GET) && path.equals("/metrics")) {
      return res.status(200)
          .header("content-type", SimulatorMetrics.CONTENT_TYPE)
          .sendString(Mono.fromSupplier(metrics::scrape), StandardCharsets.UTF_8)
          .then();
    }
    if (method.equals(HttpMethod.GET) && path.equals("/v1/simulator/keys")) {
      return sendJson(res, 200, json.writeValueAsString(keys.snapshot()));
    }
    if (method.equals(HttpMethod.GET) && path.equals("/v1/simulator/stats")) {
      return sendJson(res, 200, json.writeValueAsString(stats()));
    }
    return sendError(
        res,
        new ApiError(
            404,
            "invalid_request_error",
            null,
            null,
            "Unknown request URL: " + method.name() + " " + path + ". Please check the URL."));
  }

  private String modelsJson() {
    Set<String> ids = new LinkedHashSet<>(KNOWN_MODELS);
    synchronized (seenModels) {
      ids.addAll(seenModels);
    }
    ObjectNode root = json.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String id : ids) {
      data.addObject()
          .put("id", id)
          .put("object", "model")
          .put("created", 0)
          .put("owned_by", "moa-simulator");
    }
    return json.writeValueAsString(root);
  }

  private Mono<Void> sendJson(HttpServerResponse res, int status, String body) {
    return res.status(status)
        .header("content-type", "application/json")
        .sendString(Mono.just(body), StandardCharsets.UTF_8)
        .then();
  }

  private Mono<Void> sendError(HttpServerResponse res, ApiError e) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", e.getMessage());
    error.put("type", e.type);
    error.put("param", e.param);
    error.put("code", e.code);
    return sendJson(res, e.status, json.writeValueAsString(root));
  }

  // ---------------------------------------------------------------------------------------------
  // Chat completions

  private Mono<Void> chat(HttpServerRequest req, HttpServerResponse res) {
    long start = System.nanoTime();
    long createdMillis = System.currentTimeMillis();
    requests.increment();
    keys.record(req.requestHeaders().get("Authorization"));
    running.incrementAndGet();
    AtomicReference<String> model = new AtomicReference<>();
    String apiKey = RateLimits.bearer(req.requestHeaders().get("authorization"));
    return req.receive()
        .aggregate()
        .asString(StandardCharsets.UTF_8)
        .defaultIfEmpty("")
        .flatMap(body -> respond(res, body, apiKey, start, createdMillis, model))
        .onErrorResume(ApiError.class, e -> sendError(res, e))
        .doFinally(
            signal -> {
              running.decrementAndGet();
              String m = model.get();
              if (m != null) {
                metrics.ended(m);
              }
            });
  }

  private Mono<Void> respond(
      HttpServerResponse res,
      String body,
      String apiKey,
      long start,
      long createdMillis,
      AtomicReference<String> model) {
    ChatRequestParser.ChatRequest request = parser.parse(body);
    ReceivedCall call = request.call();
    model.set(call.model());
    metrics.started(call.model());
    synchronized (seenModels) {
      seenModels.add(call.model());
    }
    for (Consumer<ReceivedCall> listener : listeners) {
      try {
        listener.accept(call);
      } catch (RuntimeException e) {
        log.warn("Simulator listener failed", e);
      }
    }
    if (limits.enabled()) {
      Mono<Void> refused = admit(res, call, apiKey);
      if (refused != null) {
        return refused;
      }
    }
    FaultDecision fault = decideFault();
    if (fault.kind != null) {
      faults.get(fault.kind).increment();
    }
    if (FaultRates.KIND_5XX.equals(fault.kind)) {
      return fault.a < 0.5
          ? sendError(
              res,
              new ApiError(500, "server_error", null, null, "Internal server error (simulated)"))
          : sendError(
              res,
              new ApiError(503, "server_error", null, null, "Service unavailable (simulated)"));
    }
    if (FaultRates.KIND_429.equals(fault.kind)) {
      // Only retry-after: without --rpm/--tpm there is no real limit for headers to describe.
      int retry = options.retryAfterSeconds();
      res.header("retry-after", Integer.toString(retry))
          .header("retry-after-ms", Long.toString(retry * 1000L));
      return sendError(
          res,
          new ApiError(
              429,
              "rate_limit_error",
              null,
              "rate_limit_exceeded",
              "Rate limit exceeded (simulated)"));
    }
    TextGenerator.Generated text =
        TextGenerator.generate(
            call.model(), call.messages(), call.temperature(), call.seed(), call.maxTokens());
    CompletionPlan plan =
        CompletionPlan.schedule(
            text.tokenCount(), options.profileFor(call.model()), options.timeScale());
    Exchange x =
        new Exchange(
            "chatcmpl-sim-" + nextIdHex(),
            createdMillis,
            start,
            System.nanoTime(),
            call,
            text,
            plan,
            TextGenerator.promptTokens(call.messages()),
            request.includeUsage());
    return call.stream() ? stream(res, x, fault) : whole(res, x, fault);
  }

  /**
   * Applies the per-key limits: sets the {@code x-ratelimit-*} headers and returns null when the
   * request is admitted, else the 429 answer with {@code retry-after} (whole seconds, rounded up)
   * and {@code retry-after-ms} until the window resets.
   */
  private Mono<Void> admit(HttpServerResponse res, ReceivedCall call, String apiKey) {
    long tokens = TextGenerator.promptTokens(call.messages()) + (long) call.maxTokens();
    RateLimits.Decision d = limits.admit(apiKey, tokens);
    String reset = d.resetSeconds();
    if (d.limitRequests() > 0) {
      res.header("x-ratelimit-limit-requests-minute", Long.toString(d.limitRequests()))
          .header("x-ratelimit-remaining-requests-minute", Long.toString(d.remainingRequests()))
          .header("x-ratelimit-reset-requests-minute", reset);
    }
    if (d.limitTokens() > 0) {
      res.header("x-ratelimit-limit-tokens-minute", Long.toString(d.limitTokens()))
          .header("x-ratelimit-remaining-tokens-minute", Long.toString(d.remainingTokens()))
          .header("x-ratelimit-reset-tokens-minute", reset);
    }
    if (d.admitted()) {
      metrics.admitted(d.keyId(), tokens);
      return null;
    }
    rateLimited.increment();
    metrics.rateLimited(d.keyId());
    long ms = Math.max(1, (d.resetNanos() + 999_999) / 1_000_000);
    res.header("retry-after", Long.toString((ms + 999) / 1000))
        .header("retry-after-ms", Long.toString(ms));
    String which =
        d.limitRequests() > 0 && d.remainingRequests() == 0
            ? "Requests per minute limit exceeded"
            : "Tokens per minute limit exceeded";
    return sendError(
        res,
        new ApiError(
            429,
            "rate_limit_error",
            null,
            "rate_limit_exceeded",
            which
                + " (limit "
                + (d.limitRequests() > 0 && d.remainingRequests() == 0
                    ? d.limitRequests() + " requests"
                    : d.limitTokens() + " tokens, this request counts " + tokens)
                + "); retry after "
                + ms
                + " ms"));
  }

  private Mono<Void> stream(HttpServerResponse res, Exchange x, FaultDecision fault) {
    List<CompletionPlan.Chunk> chunks = x.plan.chunks();
    int n = chunks.size();
    Flux<String> events;
    boolean dropConnection = false;
    if (FaultRates.KIND_STALL.equals(fault.kind)) {
      int sent = fault.a < 0.5 ? 0 : 1;
      events =
          Flux.concat(
              Mono.fromSupplier(() -> sse(roleChunk(x))),
              contentChunks(x, 0, sent, -1),
              Mono.delay(STALL).then(Mono.empty()));
      dropConnection = true;
    } else if (FaultRates.KIND_TRUNCATE.equals(fault.kind)) {
      int sent = n <= 1 ? n : 1 + (int) (fault.a * (n - 1));
      events =
          Flux.concat(Mono.fromSupplier(() -> sse(roleChunk(x))), contentChunks(x, 0, sent, -1));
      dropConnection = true;
    } else {
      int malformedAfter = FaultRates.KIND_MALFORMED.equals(fault.kind) ? (int) (fault.a * n) : -1;
      events =
          Flux.concat(
              Mono.fromSupplier(() -> sse(roleChunk(x))),
              contentChunks(x, 0, n, malformedAfter),
              at(x, x.plan.finishNanos()).then(Mono.fromSupplier(() -> sse(finishChunk(x)))),
              x.includeUsage ? Mono.fromSupplier(() -> sse(usageChunk(x))) : Mono.empty(),
              Mono.fromSupplier(
                  () -> {
                    recordCompleted(x);
                    return DONE_LINE;
                  }));
    }
    res.status(200).header("content-type", "text/event-stream").header("cache-control", "no-cache");
    boolean drop = dropConnection;
    // Closing only after the send completed: the data already produced reaches the client, but
    // the terminating empty HTTP chunk does not, so the client sees a broken response.
    return sendFlushing(res, events.takeUntilOther(shutdown.asMono()))
        .then(Mono.defer(() -> drop || closed.get() ? closeConnection(res) : Mono.empty()));
  }

  /**
   * Sends each element as soon as it is produced, chunked. ({@code hide()} stops reactor-netty from
   * treating a single-element body as a whole message that is only written at the very end.)
   */
  private static Mono<Void> sendFlushing(HttpServerResponse res, Flux<String> parts) {
    return res.send(
            parts
                .hide()
                .map(s -> res.alloc().buffer().writeBytes(s.getBytes(StandardCharsets.UTF_8))),
            buf -> true)
        .then();
  }

  /** Content chunks {@code [from, to)}, each at its planned time; a broken line after one. */
  private Flux<String> contentChunks(Exchange x, int from, int to, int malformedAfter) {
    List<CompletionPlan.Chunk> chunks = x.plan.chunks();
    return Flux.range(from, Math.max(0, to - from))
        .concatMap(
            i ->
                at(x, chunks.get(i).offsetNanos())
                    .thenMany(
                        Flux.defer(
                            () -> {
                              String line = sse(contentChunk(x, chunks.get(i)));
                              return i == malformedAfter
                                  ? Flux.just(line, MALFORMED_LINE)
                                  : Flux.just(line);
                            })));
  }

  private Mono<Void> whole(HttpServerResponse res, Exchange x, FaultDecision fault) {
    Mono<Long> wait =
        FaultRates.KIND_STALL.equals(fault.kind) ? Mono.delay(STALL) : at(x, x.plan.finishNanos());
    String kind = fault.kind == null ? "" : fault.kind;
    Mono<Void> reply =
        switch (kind) {
          case FaultRates.KIND_TRUNCATE ->
              Mono.defer(
                  () -> {
                    String body = completionJson(x);
                    String half = body.substring(0, body.length() / 2);
                    res.status(200).header("content-type", "application/json");
                    return sendFlushing(res, Flux.just(half)).then(closeConnection(res));
                  });
          case FaultRates.KIND_MALFORMED ->
              sendJson(
                  res,
                  200,
                  "{\"id\":\""
                      + x.id
                      + "\",\"object\":\"chat.completion\",\"choices\":[{\"message\":{\"content\":");
          default ->
              Mono.defer(
                  () -> {
                    recordCompleted(x);
                    return sendJson(res, 200, completionJson(x));
                  });
        };
    return wait.then(reply)
        .takeUntilOther(shutdown.asMono())
        .then(Mono.defer(() -> closed.get() ? closeConnection(res) : Mono.empty()));
  }

  /** Completes once the response is {@code offsetNanos} old; no timer if that is already past. */
  private static Mono<Long> at(Exchange x, long offsetNanos) {
    if (offsetNanos <= 0) {
      return Mono.just(0L);
    }
    return Mono.defer(
        () -> {
          long wait = x.startNanos + offsetNanos - System.nanoTime();
          return wait <= 0 ? Mono.just(0L) : Mono.delay(Duration.ofNanos(wait));
        });
  }

  private static Mono<Void> closeConnection(HttpServerResponse res) {
    return Mono.fromRunnable(() -> res.withConnection(c -> c.channel().close()));
  }

  private void recordCompleted(Exchange x) {
    completed.increment();
    promptTokens.add(x.promptTokens);
    completionTokens.add(x.text.tokenCount());
    metrics.completed(
        x.call.model(),
        x.promptTokens,
        x.text.tokenCount(),
        Math.max(0, x.plan.firstTokenNanos()) / 1e9,
        (System.nanoTime() - x.startNanos) / 1e9);
  }

  // ---------------------------------------------------------------------------------------------
  // Payloads

  private static String sse(String json) {
    return "data: " + json + "\n\n";
  }

  private ObjectNode chunkBase(Exchange x) {
    ObjectNode root = json.createObjectNode();
    root.put("id", x.id);
    root.put("object", "chat.completion.chunk");
    root.put("created", x.createdMillis / 1000);
    root.put("model", x.call.model());
    root.put("system_fingerprint", SYSTEM_FINGERPRINT);
    return root;
  }

  private String roleChunk(Exchange x) {
    ObjectNode root = chunkBase(x);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("role", "assistant").put("content", "");
    choice.putNull("finish_reason");
    return json.writeValueAsString(root);
  }

  private String contentChunk(Exchange x, CompletionPlan.Chunk chunk) {
    ObjectNode root = chunkBase(x);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice
        .putObject("delta")
        .put(
            "content",
            String.join("", x.text.tokens().subList(chunk.fromToken(), chunk.toToken())));
    choice.putNull("finish_reason");
    return json.writeValueAsString(root);
  }

  private String finishChunk(Exchange x) {
    ObjectNode root = chunkBase(x);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta");
    choice.put("finish_reason", x.text.finishReason());
    return json.writeValueAsString(root);
  }

  private String usageChunk(Exchange x) {
    ObjectNode root = chunkBase(x);
    root.putArray("choices");
    putUsage(root, x);
    return json.writeValueAsString(root);
  }

  private String completionJson(Exchange x) {
    ObjectNode root = json.createObjectNode();
    root.put("id", x.id);
    root.put("object", "chat.completion");
    root.put("created", x.createdMillis / 1000);
    root.put("model", x.call.model());
    root.put("system_fingerprint", SYSTEM_FINGERPRINT);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", x.text.text());
    choice.putNull("logprobs");
    choice.put("finish_reason", x.text.finishReason());
    putUsage(root, x);
    return json.writeValueAsString(root);
  }

  private void putUsage(ObjectNode root, Exchange x) {
    int completion = x.text.tokenCount();
    root.putObject("usage")
        .put("prompt_tokens", x.promptTokens)
        .put("completion_tokens", completion)
        .put("total_tokens", x.promptTokens + completion);
    double total = (System.nanoTime() - x.startNanos) / 1e9;
    double queue = (x.acceptedNanos - x.startNanos) / 1e9;
    double prompt = x.plan.firstTokenNanos() / 1e9;
    root.putObject("time_info")
        .put("queue_time", queue)
        .put("prompt_time", prompt)
        .put("completion_time", Math.max(0, total - queue - prompt))
        .put("total_time", total)
        .put("created", x.createdMillis / 1000.0);
  }

  // ---------------------------------------------------------------------------------------------
  // Faults and ids

  /** A fault kind (null = none) plus a uniform draw that shapes it (500 vs 503, where to cut). */
  private record FaultDecision(String kind, double a) {}

  private static final FaultDecision NO_FAULT = new FaultDecision(null, 0);

  private FaultDecision decideFault() {
    FaultRates rates = options.faults();
    if (rates.isNone()) {
      return NO_FAULT;
    }
    double u;
    double a;
    synchronized (faultRandom) {
      u = faultRandom.nextDouble();
      a = faultRandom.nextDouble();
    }
    double edge = 0;
    for (String kind : FaultRates.KINDS) {
      edge += rates.rate(kind);
      if (u < edge) {
        return new FaultDecision(kind, a);
      }
    }
    return new FaultDecision(null, a);
  }

  private String nextIdHex() {
    long z = options.seed() + idCounter.incrementAndGet() * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return String.format("%016x", z);
  }

  /** Per-request state shared by the payload builders. */
  private static final class Exchange {
    final String id;
    final long createdMillis;
    final long startNanos;
    final long acceptedNanos;
    final ReceivedCall call;
    final TextGenerator.Generated text;
    final CompletionPlan plan;
    final int promptTokens;
    final boolean includeUsage;

    Exchange(
        String id,
        long createdMillis,
        long startNanos,
        long acceptedNanos,
        ReceivedCall call,
        TextGenerator.Generated text,
        CompletionPlan plan,
        int promptTokens,
        boolean includeUsage) {
      this.id = id;
      this.createdMillis = createdMillis;
      this.startNanos = startNanos;
      this.acceptedNanos = acceptedNanos;
      this.call = call;
      this.text = text;
      this.plan = plan;
      this.promptTokens = promptTokens;
      this.includeUsage = includeUsage;
    }
  }
}
