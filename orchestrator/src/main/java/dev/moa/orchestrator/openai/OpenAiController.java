package dev.moa.orchestrator.openai;

import dev.moa.orchestrator.OrchestratorProperties;
import dev.moa.orchestrator.intake.RequestIntake;
import dev.moa.orchestrator.intake.RequestPublisher;
import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigCatalog;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.runtime.answers.AnswerFollower;
import dev.moa.runtime.answers.AnswerListener;
import dev.moa.runtime.kafka.KafkaSettings;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI-compatible endpoints: {@code POST /v1/chat/completions} with {@code model:
 * "moa/<config>"} (a config of {@code moa.orchestrator.configs-dir}), streamed as server-sent
 * events or answered whole, and {@code GET /v1/models}. The request goes through the pipeline like
 * any other; this instance follows its chunks and committed answer (decision 030).
 */
@RestController
public class OpenAiController implements DisposableBean {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  private final ConfigCatalog catalog;
  private final RequestIntake intake;
  private final AnswerFollower follower;
  private final RequestPublisher publisher;
  private final Duration answerTimeout;

  public OpenAiController(
      KafkaSettings settings,
      OrchestratorProperties props,
      RequestIntake intake,
      RequestPublisher publisher) {
    this.catalog = new ConfigCatalog(Path.of(props.configsDir()));
    this.intake = intake;
    this.answerTimeout = props.answerTimeout();
    this.follower = new AnswerFollower(settings, "moa-openai-answers", Duration.ofSeconds(30));
    this.publisher = publisher;
  }

  @GetMapping("/v1/models")
  public Map<String, Object> models() {
    List<Map<String, Object>> data = new ArrayList<>();
    for (String name : catalog.names()) {
      data.add(model(name));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("object", "list");
    out.put("data", data);
    return out;
  }

  /** One model; the SDK sends {@code moa/x} with the slash escaped or not. */
  @GetMapping("/v1/models/{*id}")
  public Mono<Void> model(@PathVariable("id") String id, ServerWebExchange exchange) {
    String model =
        URLDecoder.decode(id.startsWith("/") ? id.substring(1) : id, StandardCharsets.UTF_8);
    String name =
        model.startsWith(ChatRequest.MODEL_PREFIX)
            ? model.substring(ChatRequest.MODEL_PREFIX.length())
            : "";
    if (!catalog.contains(name)) {
      return error(exchange.getResponse(), OpenAiError.modelNotFound(model));
    }
    return json(exchange.getResponse(), HttpStatus.OK, model(name));
  }

  @PostMapping("/v1/chat/completions")
  public Mono<Void> completions(
      @RequestBody(required = false) String body, ServerWebExchange exchange) {
    ServerHttpResponse response = exchange.getResponse();
    ChatRequest chat;
    MoaRequest request;
    try {
      chat = ChatRequest.parse(body);
      request = intake.accept(config(chat), chat.messages(), chat.seed());
    } catch (OpenAiError e) {
      return error(response, e);
    } catch (RequestIntake.TooLargeException e) {
      return error(response, OpenAiError.tooLarge(e.getMessage()));
    } catch (RequestIntake.RejectedException e) {
      return error(response, OpenAiError.server(e.getMessage()));
    }
    Sinks.Many<Object> events = Sinks.many().unicast().onBackpressureBuffer();
    AnswerFollower.Subscription subscription;
    try {
      subscription = follower.follow(request.getRequestId(), new ToSink(events));
    } catch (IllegalStateException e) {
      return error(response, OpenAiError.unavailable(e.getMessage()));
    }
    ChatResponses shapes =
        ChatResponses.of(request.getRequestId(), request.getSubmittedAtMs(), chat.model());
    return publisher
        .publish(request)
        .then(
            Mono.defer(
                () ->
                    chat.stream()
                        ? stream(response, chat, shapes, events.asFlux())
                        : whole(response, chat, shapes, events.asFlux())))
        .onErrorResume(
            RequestPublisher.PublishFailedException.class,
            e ->
                error(
                    response,
                    OpenAiError.unavailable("cannot publish the request: " + e.getMessage())))
        .doFinally(signal -> subscription.close());
  }

  private MoaConfig config(ChatRequest chat) throws OpenAiError {
    if (!catalog.contains(chat.configName())) {
      throw OpenAiError.modelNotFound(chat.model());
    }
    try {
      return catalog.load(chat.configName());
    } catch (ConfigException e) {
      throw OpenAiError.server(e.getMessage());
    }
  }

  private Mono<Void> whole(
      ServerHttpResponse response, ChatRequest chat, ChatResponses shapes, Flux<Object> events) {
    return events
        .ofType(FinalAnswer.class)
        .next()
        .timeout(answerTimeout, Mono.empty())
        .singleOptional()
        .flatMap(
            answer -> {
              if (answer.isEmpty()) {
                return error(response, timedOut());
              }
              if (answer.get().getStatus() != AnswerStatus.SUCCEEDED) {
                return error(response, failed(answer.get()));
              }
              return json(
                  response, HttpStatus.OK, shapes.completion(answer.get(), chat.moaLayers()));
            });
  }

  /** Server-sent events: the role, content deltas, the finish chunk, the usage chunk, [DONE]. */
  private Mono<Void> stream(
      ServerHttpResponse response, ChatRequest chat, ChatResponses shapes, Flux<Object> events) {
    response.setStatusCode(HttpStatus.OK);
    response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
    response.getHeaders().setCacheControl("no-cache");
    StreamedText text = new StreamedText();
    boolean usage = chat.includeUsage();
    java.util.concurrent.atomic.AtomicBoolean answered =
        new java.util.concurrent.atomic.AtomicBoolean();
    Flux<String> body =
        events
            .take(answerTimeout)
            .concatMap(
                e -> {
                  if (e instanceof AnswerChunk chunk) {
                    String delta = text.onChunk(chunk);
                    return delta.isEmpty()
                        ? Flux.empty()
                        : Flux.just(data(shapes.contentChunk(delta, usage)));
                  }
                  FinalAnswer answer = (FinalAnswer) e;
                  answered.set(true);
                  if (answer.getStatus() != AnswerStatus.SUCCEEDED) {
                    return Flux.just(data(failed(answer).body()));
                  }
                  List<String> out = new ArrayList<>();
                  String rest = text.remainder(answer.getAnswer());
                  if (!rest.isEmpty()) {
                    out.add(data(shapes.contentChunk(rest, usage)));
                  }
                  out.add(data(shapes.finishChunk(answer, usage, chat.moaLayers())));
                  if (usage) {
                    out.add(data(shapes.usageChunk(answer)));
                  }
                  out.add("data: [DONE]\n\n");
                  return Flux.fromIterable(out);
                })
            .concatWith(
                Flux.defer(
                    () -> answered.get() ? Flux.empty() : Flux.just(data(timedOut().body()))))
            .startWith(data(shapes.roleChunk(usage)));
    Flux<String> withKeepAlive =
        body.publish(
            shared ->
                Flux.merge(
                    shared,
                    Flux.interval(KEEP_ALIVE)
                        .map(i -> ": keep-alive\n\n")
                        .takeUntilOther(shared.then())));
    return response.writeAndFlushWith(withKeepAlive.map(s -> Mono.just(buffer(response, s))));
  }

  private OpenAiError timedOut() {
    return OpenAiError.timeout(
        "no final answer within "
            + answerTimeout.toSeconds()
            + " s (moa.orchestrator.answer-timeout)");
  }

  private static OpenAiError failed(FinalAnswer answer) {
    return OpenAiError.failed(
        "request "
            + answer.getRequestId()
            + " "
            + answer.getStatus().name().toLowerCase(java.util.Locale.ROOT)
            + (answer.getError() == null ? "" : ": " + answer.getError()));
  }

  private Map<String, Object> model(String name) {
    long created = 0;
    try {
      created = Files.getLastModifiedTime(catalog.dir().resolve(name + ".yaml")).toMillis() / 1000;
    } catch (java.io.IOException e) {
      // Gone since listed: 0 says unknown.
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ChatRequest.MODEL_PREFIX + name);
    m.put("object", "model");
    m.put("created", created);
    m.put("owned_by", "moa");
    return m;
  }

  private static String data(Map<String, Object> event) {
    return "data: " + JSON.writeValueAsString(event) + "\n\n";
  }

  static Mono<Void> error(ServerHttpResponse response, OpenAiError e) {
    return json(response, HttpStatus.valueOf(e.status()), e.body());
  }

  private static Mono<Void> json(ServerHttpResponse response, HttpStatus status, Object body) {
    response.setStatusCode(status);
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    byte[] bytes = JSON.writeValueAsBytes(body);
    response.getHeaders().setContentLength(bytes.length);
    return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
  }

  private static DataBuffer buffer(ServerHttpResponse response, String s) {
    return response.bufferFactory().wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void destroy() {
    follower.close();
  }

  /** Hands the follower's values to the request's sink (called on the follower's thread). */
  private record ToSink(Sinks.Many<Object> sink) implements AnswerListener {
    @Override
    public void onChunk(AnswerChunk chunk) {
      sink.tryEmitNext(chunk);
    }

    @Override
    public void onAnswer(FinalAnswer answer) {
      sink.tryEmitNext(answer);
      sink.tryEmitComplete();
    }
  }
}
