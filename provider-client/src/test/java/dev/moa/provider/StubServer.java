package dev.moa.provider;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OpenAI-style server on 127.0.0.1 whose reply to each request is taken from a script queue
 * (else from a fallback). Records every request.
 */
final class StubServer implements AutoCloseable {
  static final JsonMapper JSON = JsonMapper.builder().build();

  /** One scripted reply. */
  @FunctionalInterface
  interface Reply {
    Publisher<Void> send(HttpServerResponse res);
  }

  record Recorded(String method, String uri, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Reply fallback =
      status(500, "{\"error\":{\"message\":\"stub: no scripted reply\"}}");
  private final DisposableServer server;

  StubServer() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(
                (req, res) ->
                    req.receive()
                        .aggregate()
                        .asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .flatMap(
                            body -> {
                              Map<String, String> headers = new LinkedHashMap<>();
                              req.requestHeaders()
                                  .forEach(
                                      e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
                              requests.add(
                                  new Recorded(req.method().name(), req.uri(), headers, body));
                              maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                              Reply r = script.poll();
                              return Mono.from((r != null ? r : fallback).send(res));
                            })
                        .doFinally(s -> inFlight.decrementAndGet()))
            .bindNow();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.port() + "/v1";
  }

  void enqueue(Reply... replies) {
    script.addAll(Arrays.asList(replies));
  }

  void fallback(Reply reply) {
    this.fallback = reply;
  }

  List<Recorded> requests() {
    return new ArrayList<>(requests);
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(5));
  }

  // ---- replies ----

  /** A 200 event stream: each payload as one {@code data:} event, each flushed at once. */
  static Reply sse(String... payloads) {
    return sseRaw(Flux.fromArray(payloads).map(p -> "data: " + p + "\n\n"));
  }

  /** A 200 event stream of raw text pieces (SSE framing included by the caller). */
  static Reply sseRaw(Publisher<String> pieces) {
    return res ->
        res.status(200)
            .header("content-type", "text/event-stream")
            .send(Flux.from(pieces).map(StubServer::buf), b -> true);
  }

  /** Sends the payloads, then keeps the response open forever without sending more. */
  static Reply stall(String... payloads) {
    return sseRaw(
        Flux.concat(Flux.fromArray(payloads).map(p -> "data: " + p + "\n\n"), Flux.never()));
  }

  /** Never answers at all, not even headers. */
  static Reply silent() {
    return res -> Mono.never();
  }

  static Reply status(int code, String body, String... headerPairs) {
    return res -> {
      res.status(code).header("content-type", "application/json");
      for (int i = 0; i + 1 < headerPairs.length; i += 2) {
        res.header(headerPairs[i], headerPairs[i + 1]);
      }
      return res.sendString(Mono.just(body));
    };
  }

  static Reply json(String body) {
    return status(200, body);
  }

  static Reply delayed(Duration delay, Reply reply) {
    return res -> Mono.delay(delay).then(Mono.from(reply.send(res)));
  }

  private static ByteBuf buf(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  // ---- chunk payloads ----

  static String chunk(String content) {
    ObjectNode n = base();
    ObjectNode choice = n.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("content", content);
    choice.putNull("finish_reason");
    return n.toString();
  }

  static String finish(String reason) {
    ObjectNode n = base();
    ObjectNode choice = n.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta");
    choice.put("finish_reason", reason);
    return n.toString();
  }

  static String usage(int prompt, int completion) {
    ObjectNode n = base();
    n.putArray("choices");
    n.putObject("usage")
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
    return n.toString();
  }

  static String usageWithTimeInfo(int prompt, int completion) {
    ObjectNode n = (ObjectNode) JSON.readTree(usage(prompt, completion));
    n.putObject("time_info")
        .put("queue_time", 0.0005)
        .put("prompt_time", 0.002)
        .put("completion_time", 0.05)
        .put("total_time", 0.06)
        .put("created", 1.7e9);
    return n.toString();
  }

  /** A complete good stream that says {@code text}. */
  static Reply ok(String text) {
    return sse(chunk(text), finish("stop"), usage(10, 3), "[DONE]");
  }

  static String errorBody(String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("error").put("message", message).put("type", "invalid_request_error");
    return n.toString();
  }

  private static ObjectNode base() {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", "chatcmpl-stub");
    n.put("object", "chat.completion.chunk");
    n.put("created", 1_700_000_000L);
    n.put("model", "stub-model");
    return n;
  }
}
