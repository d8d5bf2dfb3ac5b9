package dev.moa.cli.stack;

import dev.moa.agentworker.AgentWorkerApplication;
import dev.moa.aggregator.AggregatorApplication;
import dev.moa.cli.AnswerWatcher;
import dev.moa.graderworker.GraderWorkerApplication;
import dev.moa.localkafka.LocalBroker;
import dev.moa.orchestrator.OrchestratorApplication;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The local stack: a real KRaft broker (child JVM) unless a bootstrap is given, the simulator, and
 * the four services, each a Spring context in this JVM.
 */
public final class LocalStack implements AutoCloseable {

  private static final int WARM_UP_ROUNDS = 2;
  private static final int WARM_UP_PARALLEL = 4;

  /** The services in start order, by name. */
  public static final Map<String, Class<?>> SERVICES = services();

  private final LocalBroker broker;
  private final String bootstrap;
  private final Simulator simulator;
  private final Map<String, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();

  private LocalStack(LocalBroker broker, String bootstrap, Simulator simulator) {
    this.broker = broker;
    this.bootstrap = bootstrap;
    this.simulator = simulator;
  }

  private static Map<String, Class<?>> services() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("orchestrator", OrchestratorApplication.class);
    m.put("agent-worker", AgentWorkerApplication.class);
    m.put("aggregator", AggregatorApplication.class);
    m.put("grader-worker", GraderWorkerApplication.class);
    return m;
  }

  /**
   * Starts the stack.
   *
   * @param bootstrap an existing cluster, or null to start a local broker in {@code dataDir}
   */
  public static LocalStack start(
      String bootstrap, Path dataDir, int brokerPort, String profile, Status status) {
    return start(bootstrap, dataDir, brokerPort, 0, profile, status);
  }

  /**
   * Starts the stack with the simulator on a given port (0 = any), so that requests whose config
   * snapshot names the simulator's URL still reach it after a restart.
   */
  public static LocalStack start(
      String bootstrap,
      Path dataDir,
      int brokerPort,
      int simulatorPort,
      String profile,
      Status status) {
    LocalBroker broker = null;
    Simulator simulator = null;
    LocalStack stack = null;
    try {
      if (bootstrap == null) {
        status.say("starting a local Kafka broker (KRaft) in " + dataDir.resolve("broker"));
        broker = LocalBroker.start(brokerPort, dataDir.resolve("broker"), Duration.ofSeconds(120));
        bootstrap = broker.bootstrap();
      }
      TopicAdmin.ensureTopics(KafkaSettings.local(bootstrap), 30_000);
      status.say("starting the simulator (profile " + profile + ")");
      simulator =
          Simulator.start(
              SimulatorOptions.builder()
                  .port(simulatorPort)
                  .defaultProfile(Profile.named(profile))
                  .build());
      stack = new LocalStack(broker, bootstrap, simulator);
      Map<String, String> props = new LinkedHashMap<>();
      props.put("moa.orchestrator.simulator-base-url", simulator.baseUrl());
      props.put("moa.orchestrator.state-dir", dataDir.resolve("orchestrator-state").toString());
      props.putAll(judgeProperties(simulator.baseUrl()));
      for (Map.Entry<String, Class<?>> e : SERVICES.entrySet()) {
        status.say("starting " + e.getKey());
        stack.contexts.put(e.getKey(), startService(e.getValue(), bootstrap, 0, props));
      }
      status.say("warming up (one simulated request through every service)");
      stack.warmUp();
      return stack;
    } catch (RuntimeException e) {
      if (stack != null) {
        stack.close();
      } else {
        if (simulator != null) {
          simulator.close();
        }
        if (broker != null) {
          broker.close();
        }
      }
      throw e;
    }
  }

  /**
   * Sends one request through the whole pipeline and waits for its answer, so the stack counts as
   * ready only once consumer groups are assigned, the barrier runs and connections are open. It
   * always uses the simulator (no provider key is read), so it never spends a real provider's
   * quota.
   */
  void warmUp() {
    try {
      MoaConfig config = ConfigLoader.defaultConfig();
      var providers = ProviderResolver.resolve(config, name -> null, simulator.baseUrl());
      var snapshot = RequestFactory.snapshot(config, providers);
      try (AnswerWatcher watcher = new AnswerWatcher(KafkaSettings.local(bootstrap))) {
        // A few rounds, several requests at once: the hot paths get compiled before real work.
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
          List<MoaRequest> batch = new ArrayList<>();
          for (int i = 0; i < WARM_UP_PARALLEL; i++) {
            batch.add(
                RequestFactory.question(
                    snapshot,
                    "warm-up " + round + "." + i,
                    null,
                    System.currentTimeMillis(),
                    Map.of("warmup", "true")));
          }
          batch.forEach(watcher::submit);
          for (MoaRequest r : batch) {
            watcher.await(r.getRequestId(), Duration.ofMinutes(3), chunk -> {});
          }
        }
      }
    } catch (dev.moa.protocol.config.ConfigException e) {
      throw new IllegalStateException("the shipped default config does not resolve: " + e, e);
    }
  }

  /**
   * The judge grader of the local stack's grader worker: the default config's aggregator model and
   * provider (the simulator when that provider's key is not set).
   */
  static Map<String, String> judgeProperties(String simulatorUrl) {
    try {
      MoaConfig config = ConfigLoader.defaultConfig();
      var providers = ProviderResolver.resolve(config, System::getenv, simulatorUrl);
      var judge = providers.get(config.aggregator().provider());
      Map<String, String> m = new LinkedHashMap<>();
      m.put("moa.grader-worker.judge.base-url", judge.baseUrl());
      m.put("moa.grader-worker.judge.model", config.aggregator().model());
      m.put("moa.grader-worker.judge.provider", judge.name());
      if (judge.apiKeyEnv() != null) {
        m.put("moa.grader-worker.judge.api-key-env", judge.apiKeyEnv());
      }
      return m;
    } catch (dev.moa.protocol.config.ConfigException e) {
      throw new IllegalStateException("the shipped default config does not resolve: " + e, e);
    }
  }

  /**
   * The command-line settings of a service started by {@link #startService}: the HTTP API binds
   * 127.0.0.1 unless {@code server.address} is given (as a property, a system property or
   * SERVER_ADDRESS).
   */
  static List<String> serviceArgs(String bootstrap, int port, Map<String, String> properties) {
    List<String> args = new ArrayList<>();
    args.add("--moa.kafka.bootstrap=" + bootstrap);
    args.add("--server.port=" + port);
    if (!properties.containsKey("server.address")
        && System.getProperty("server.address") == null
        && System.getenv("SERVER_ADDRESS") == null) {
      // Loopback unless asked otherwise. Each service's own application.yaml says so too, but on
      // the CLI's class path only one of the services' application.yaml files is found.
      args.add("--server.address=127.0.0.1");
    }
    args.add("--spring.main.banner-mode=off");
    args.add("--spring.jmx.enabled=false");
    properties.forEach((k, v) -> args.add("--" + k + "=" + v));
    return args;
  }

  /** Starts one service's Spring context against {@code bootstrap}. */
  public static ConfigurableApplicationContext startService(
      Class<?> app, String bootstrap, int port, Map<String, String> properties) {
    List<String> args = serviceArgs(bootstrap, port, properties);
    return new SpringApplicationBuilder(app)
        .properties(
            Map.of(
                "logging.level.root",
                "WARN",
                "logging.level.dev.moa",
                "WARN",
                // The orchestrator's global (moa.runs) consumer logs a harmless WARN while it
                // restores; a user of 'moa ask' should not see it.
                "logging.level.org.apache.kafka.clients.consumer.internals.OffsetFetcherUtils",
                "ERROR",
                // Kafka Streams' RocksDB and in-memory store meters share names with different
                // tag keys; Prometheus keeps the first kind and says so once. Not for a user.
                "logging.level.io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
                "ERROR",
                // A service that cannot start: the moa command says why in one line
                // (MOA_DEBUG=1 for the stack trace), not Spring's multi-line report.
                "logging.level.org.springframework.boot.SpringApplication",
                "OFF",
                "logging.level.org.springframework.boot.diagnostics",
                "OFF"))
        .run(args.toArray(String[]::new));
  }

  public String bootstrap() {
    return bootstrap;
  }

  public Simulator simulator() {
    return simulator;
  }

  public Map<String, String> serviceUrls() {
    Map<String, String> urls = new LinkedHashMap<>();
    contexts.forEach(
        (name, ctx) ->
            urls.put(
                name, "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port")));
    return urls;
  }

  @Override
  public void close() {
    List<String> names = new ArrayList<>(contexts.keySet());
    java.util.Collections.reverse(names);
    for (String name : names) {
      try {
        contexts.get(name).close();
      } catch (RuntimeException ignored) {
        // Best effort: stop the rest.
      }
    }
    contexts.clear();
    if (simulator != null) {
      simulator.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /** Progress lines for the user (stderr), silent under --json or --quiet. */
  public interface Status {
    void say(String line);

    static Status quiet() {
      return line -> {};
    }

    static Status stderr() {
      return line -> System.err.println("moa: " + line);
    }
  }
}
