package dev.moa.e2e;

import dev.moa.cli.AnswerWatcher;
import dev.moa.cli.stack.LocalStack;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Simulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Services, requests and child processes for end-to-end tests on the shared real broker. */
final class TestPipeline {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private TestPipeline() {}

  /** The offsets {@code group} has committed, by partition. */
  static Map<TopicPartition, OffsetAndMetadata> committed(KafkaSettings settings, String group)
      throws Exception {
    try (Admin admin = Admin.create(settings.common())) {
      return admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * {@code moa eval} on the given cluster and simulator with a config, into {@code out} as {@code
   * runId}; then {@code more} (dataset, limit, progress...).
   */
  static String[] evalArgs(
      KafkaSettings settings, Simulator sim, Path config, Path out, String runId, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "eval",
                "--bootstrap",
                settings.bootstrap(),
                "--simulator-url",
                sim.baseUrl(),
                "--config",
                config.toString(),
                "--out",
                out.toString(),
                "--run-id",
                runId));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** The lines of a run's results.jsonl, parsed. */
  static List<JsonNode> results(Path runDir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("results.jsonl"))) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  static MoaConfig config(String yaml) {
    try {
      return ConfigLoader.parse(yaml, "test.yaml");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code layers} layers of the given agents, all on the simulator. */
  static String yaml(int layers, String agentPromptSuffix) {
    return """
        name: it
        layers: %d
        agents:
          - {name: alpha, model: model-a, provider: simulator, temperature: 0.3, max_tokens: 64, prompt: "Alpha {style}: think.%s"}
          - {name: beta, model: model-b, provider: simulator, temperature: 0.7, max_tokens: 64, prompt: "Beta {{literal}}.%s"}
          - {name: gamma, model: model-c, provider: simulator, temperature: 0.1, max_tokens: 64, prompt: "Gamma without placeholder."}
        aggregator: {model: model-agg, provider: simulator, temperature: 0.1, max_tokens: 64, prompt: "Aggregate $1 {x}.\\n\\n{helper_response}"}
        min_successes: 1
        layer_timeout: 2m
        """
        .formatted(layers, agentPromptSuffix, agentPromptSuffix);
  }

  static MoaRequest request(MoaConfig config, Simulator sim, String question) {
    try {
      var providers = ProviderResolver.resolve(config, System::getenv, sim.baseUrl());
      return RequestFactory.question(
          RequestFactory.snapshot(config, providers),
          question,
          null,
          System.currentTimeMillis(),
          Map.of());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static FinalAnswer ask(KafkaSettings settings, MoaRequest request, Duration timeout) {
    try (AnswerWatcher w = new AnswerWatcher(settings)) {
      w.submit(request);
      return w.await(request.getRequestId(), timeout, c -> {});
    }
  }

  static ConfigurableApplicationContext inProcess(
      String service, String bootstrap, Simulator sim, Path stateDir) {
    return LocalStack.startService(
        LocalStack.SERVICES.get(service),
        bootstrap,
        0,
        Map.of(
            "moa.orchestrator.simulator-base-url", sim.baseUrl(),
            "moa.orchestrator.state-dir", stateDir.toString(),
            "moa.grader-worker.judge.base-url", sim.baseUrl(),
            "moa.grader-worker.judge.model", "llama3.1-8b"));
  }

  /** The instant simulator and every service in this JVM, on a broker; close stops them all. */
  record InProcessStack(Simulator sim, List<ConfigurableApplicationContext> services)
      implements AutoCloseable {

    static InProcessStack start(String bootstrap, String label) throws IOException {
      Simulator sim =
          Simulator.start(
              dev.moa.simulator.SimulatorOptions.builder()
                  .defaultProfile(dev.moa.simulator.Profile.named("instant"))
                  .build());
      Path state = Files.createTempDirectory(label);
      List<ConfigurableApplicationContext> services = new java.util.ArrayList<>();
      try {
        for (String s : LocalStack.SERVICES.keySet()) {
          services.add(inProcess(s, bootstrap, sim, state));
        }
      } catch (RuntimeException e) {
        new InProcessStack(sim, services).close();
        throw e;
      }
      return new InProcessStack(sim, services);
    }

    @Override
    public void close() {
      services.forEach(ConfigurableApplicationContext::close);
      sim.close();
    }
  }

  /** A service in its own JVM, so that it can be killed with SIGKILL like a crashed pod. */
  static Process childProcess(String service, String bootstrap, Path workDir, String... extra)
      throws IOException {
    Files.createDirectories(workDir);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp"));
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(LocalStack.SERVICES.get(service).getName());
    cmd.add("--moa.kafka.bootstrap=" + bootstrap);
    cmd.add("--server.port=0");
    cmd.add("--spring.main.banner-mode=off");
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(workDir.resolve(service + ".log").toFile());
    return pb.start();
  }

  static void kill(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor(20, TimeUnit.SECONDS);
  }
}
