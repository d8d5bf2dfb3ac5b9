package dev.moa.cli;

import dev.moa.cli.stack.LocalStack;
import dev.moa.cli.stack.StackState;
import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.prompt.Message;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.request.RequestLimits;
import dev.moa.runtime.kafka.TopicAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.json.JsonMapper;

@Command(
    name = "ask",
    mixinStandardHelpOptions = true,
    description = {
      "Ask one question through the MoA pipeline and print the final answer as it streams. Exit code 0 on an answer, 1 when the request failed, 2 on a config error, 3 when Kafka cannot be reached."
    })
final class AskCommand implements Callable<Integer> {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Parameters(paramLabel = "QUESTION", description = "the user's question")
  String question;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "MoA config (YAML). Default: the shipped configs/workshop.yaml.")
  Path config;

  @Option(names = "--json", description = "print one JSON object with every layer's outputs")
  boolean json;

  @Option(
      names = "--simulator-url",
      paramLabel = "URL",
      description =
          "with --bootstrap: the simulator (http://HOST:PORT/v1) for providers without a key")
  String simulatorUrl;

  @Option(names = "--seed", paramLabel = "N", description = "sampling seed passed to every call")
  Long seed;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "600",
      description = "give up after this many seconds (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Option(
      names = "--max-prompt-bytes",
      paramLabel = "N",
      defaultValue = "262144",
      description =
          "refuse a question larger than this many UTF-8 bytes (default ${DEFAULT-VALUE})")
  int maxPromptBytes;

  @Mixin KafkaOptions kafka = new KafkaOptions();

  @Override
  public Integer call() throws Exception {
    if (question == null || question.isBlank()) {
      throw new UserError(UserError.USAGE, "QUESTION: must not be empty");
    }
    RequestLimits limits = Configs.requestLimits(maxPromptBytes);
    try {
      // Before any stack starts: an oversized question never reaches Kafka.
      limits.check(List.of(new Message("user", question)));
    } catch (RequestLimits.RequestTooLargeException e) {
      throw new UserError(UserError.USAGE, "QUESTION: " + e.getMessage() + " (--max-prompt-bytes)");
    }
    MoaConfig moaConfig = Configs.load(config);
    LocalStack.Status status = json ? LocalStack.Status.quiet() : LocalStack.Status.stderr();
    // Fail fast on missing keys before anything starts.
    Configs.resolveProviders(moaConfig, "http://127.0.0.1:0/v1");

    LocalStack stack = null;
    Path tempDir = null;
    try {
      String bootstrap;
      String simulator;
      Optional<StackState> up = StackState.running();
      if (kafka.bootstrap != null) {
        bootstrap = kafka.bootstrap;
        simulator = simulatorUrl;
        TopicAdmin.ensureTopics(KafkaConnect.settings(bootstrap, true), 15_000);
      } else if (up.isPresent()) {
        bootstrap = up.get().bootstrap();
        simulator = up.get().simulator();
      } else {
        tempDir = Files.createTempDirectory("moa-ask");
        stack = LocalStack.start(null, tempDir, 0, kafka.simulatorProfile, status);
        bootstrap = stack.bootstrap();
        simulator = stack.simulator().baseUrl();
      }
      var providers = Configs.resolveProviders(moaConfig, simulator);
      MoaRequest request =
          RequestFactory.question(
              RequestFactory.snapshot(moaConfig, providers),
              question,
              seed,
              System.currentTimeMillis(),
              Map.of(),
              limits);
      boolean simulated = RequestFactory.simulated(request.getConfig());
      if (simulated) {
        status.say("simulated model: no provider key set, the built-in simulator answers");
      }
      try (AnswerWatcher watcher =
          new AnswerWatcher(KafkaConnect.settings(bootstrap, kafka.bootstrap != null))) {
        long start = System.nanoTime();
        watcher.submit(request);
        StringBuilder streamed = new StringBuilder();
        FinalAnswer answer =
            watcher.await(
                request.getRequestId(),
                Duration.ofSeconds(timeoutSeconds),
                chunk -> {
                  if (!json && !chunk.getDelta().isEmpty()) {
                    System.out.print(chunk.getDelta());
                    System.out.flush();
                    streamed.append(chunk.getDelta());
                  }
                });
        long latencyMs = (System.nanoTime() - start) / 1_000_000;
        return print(answer, latencyMs, streamed.toString());
      }
    } finally {
      if (stack != null) {
        stack.close();
      }
      if (tempDir != null) {
        Dirs.deleteQuietly(tempDir);
      }
    }
  }

  private int print(FinalAnswer answer, long latencyMs, String streamed) throws Exception {
    if (json) {
      System.out.println(
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(answer, latencyMs)));
    } else if (answer.getStatus() == AnswerStatus.SUCCEEDED) {
      if (!streamed.equals(answer.getAnswer())) {
        // The live stream was missed or retried: print the committed answer.
        if (!streamed.isEmpty()) {
          System.out.println();
        }
        System.out.print(answer.getAnswer());
      }
      System.out.println();
      System.err.printf(
          "moa: %s, %d ms, %d prompt + %d completion tokens%s%n",
          answer.getRequestId(),
          latencyMs,
          answer.getUsage().getPromptTokens(),
          answer.getUsage().getCompletionTokens(),
          answer.getSimulated() ? " (simulated model)" : "");
    }
    if (answer.getStatus() != AnswerStatus.SUCCEEDED) {
      System.err.println(
          "moa: error: request " + answer.getRequestId() + " failed: " + answer.getError());
      return UserError.FAILED;
    }
    return 0;
  }

  static Map<String, Object> toJson(FinalAnswer a, long latencyMs) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("request_id", a.getRequestId());
    out.put("status", a.getStatus().name().toLowerCase());
    out.put("answer", a.getAnswer());
    if (a.getError() != null) {
      out.put("error", a.getError());
    }
    out.put("simulated", a.getSimulated());
    List<List<Map<String, Object>>> layers = new ArrayList<>();
    for (List<AgentOutput> layer : a.getLayers()) {
      layers.add(layer.stream().map(AskCommand::output).toList());
    }
    out.put("layers", layers);
    out.put("aggregator", a.getAggregator() == null ? null : output(a.getAggregator()));
    out.put("latency_ms", latencyMs);
    out.put(
        "usage",
        Map.of(
            "prompt_tokens", a.getUsage().getPromptTokens(),
            "completion_tokens", a.getUsage().getCompletionTokens()));
    return out;
  }

  private static Map<String, Object> output(AgentOutput o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("agent", o.getAgent());
    m.put("model", o.getModel());
    m.put("content", o.getContent());
    m.put("prompt_tokens", o.getPromptTokens());
    m.put("completion_tokens", o.getCompletionTokens());
    m.put("latency_ms", o.getLatencyMs());
    m.put("ttft_ms", o.getTtftMs());
    m.put("status", o.getStatus().name().toLowerCase());
    if (o.getError() != null) {
      m.put("error", o.getError());
    }
    m.put("layer", o.getLayer());
    m.put("round", o.getRound());
    if (o.getVerdict() != null) {
      m.put("verdict", o.getVerdict());
    }
    return m;
  }
}
