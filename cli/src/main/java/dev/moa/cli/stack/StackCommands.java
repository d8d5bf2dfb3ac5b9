package dev.moa.cli.stack;

import dev.moa.cli.KafkaOptions;
import dev.moa.cli.Moa;
import dev.moa.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/** {@code moa up}, {@code moa status}, {@code moa down}. */
public final class StackCommands {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Short, so that a dashboard or a test sees a change within seconds. */
  static final java.time.Duration SCRAPE_INTERVAL = java.time.Duration.ofSeconds(2);

  private StackCommands() {}

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description = {
        "Start the local stack (broker, simulator, all services) and keep it running in the background; print its URLs. Other commands use it until 'moa down'. Data and the log live in $MOA_HOME (default ~/.moa)."
      })
  public static final class Up implements Callable<Integer> {
    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--foreground", description = "run in this process until interrupted")
    boolean foreground;

    @Option(
        names = "--broker-port",
        defaultValue = "0",
        description = "client port of the local broker (default: a free port)")
    int brokerPort;

    @Option(
        names = "--with-prometheus",
        description =
            "also start a local Prometheus (Debian package 'prometheus') scraping every service and"
                + " the simulator every 2 s, with deploy/prometheus/alerts.yml when found; its URL"
                + " shows in 'moa status'")
    boolean withPrometheus;

    @Override
    public Integer call() throws Exception {
      Optional<StackState> running = StackState.running();
      if (running.isPresent()) {
        System.out.println("moa: a stack is already up");
        print(running.get());
        return 0;
      }
      if (withPrometheus) {
        LocalPrometheus.requireBinary();
      }
      return foreground ? runForeground() : spawn();
    }

    private int runForeground() throws IOException, InterruptedException {
      Path dataDir = StackState.home().resolve("stack");
      LocalStack stack =
          LocalStack.start(
              kafka.bootstrap,
              dataDir,
              brokerPort,
              kafka.simulatorProfile,
              LocalStack.Status.stderr());
      LocalPrometheus prometheus = null;
      if (withPrometheus) {
        try {
          List<Path> rules = LocalPrometheus.shippedRuleFiles();
          System.err.println(
              "moa: starting prometheus"
                  + (rules.isEmpty() ? "" : " (rules: " + rules.get(0) + ")"));
          prometheus =
              LocalPrometheus.start(
                  dataDir.resolve("prometheus"),
                  LocalPrometheus.targets(stack.serviceUrls(), stack.simulator().baseUrl()),
                  rules,
                  SCRAPE_INTERVAL);
        } catch (RuntimeException e) {
          stack.close();
          throw e;
        }
      }
      LocalPrometheus startedPrometheus = prometheus;
      StackState state =
          new StackState(
              ProcessHandle.current().pid(),
              stack.bootstrap(),
              stack.simulator().baseUrl(),
              stack.serviceUrls(),
              dataDir.toString(),
              prometheus == null ? null : prometheus.url());
      state.write();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      Files.deleteIfExists(StackState.file());
                    } catch (IOException ignored) {
                      // Nothing to do: the pid check treats a stale file as no stack.
                    }
                    if (startedPrometheus != null) {
                      startedPrometheus.close();
                    }
                    stack.close();
                    stopped.countDown();
                  }));
      print(state);
      stopped.await();
      return 0;
    }

    private int spawn() throws IOException, InterruptedException {
      Files.createDirectories(StackState.home());
      Path log = StackState.home().resolve("stack.log");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx1g");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(Moa.class.getName());
      cmd.add("up");
      cmd.add("--foreground");
      cmd.add("--simulator-profile=" + kafka.simulatorProfile);
      cmd.add("--broker-port=" + brokerPort);
      if (withPrometheus) {
        cmd.add("--with-prometheus");
      }
      if (kafka.bootstrap != null) {
        cmd.add("--bootstrap=" + kafka.bootstrap);
      }
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectErrorStream(true);
      pb.redirectOutput(log.toFile());
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process child = pb.start();
      System.err.println("moa: starting the local stack (log: " + log + ")");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (System.nanoTime() < deadline) {
        Optional<StackState> state = StackState.running();
        if (state.isPresent() && state.get().pid() == child.pid()) {
          print(state.get());
          return 0;
        }
        if (!child.isAlive()) {
          throw new UserError(
              UserError.FAILED, "the stack exited with code " + child.exitValue() + "; see " + log);
        }
        Thread.sleep(200); // polling a child process: no event to wait on
      }
      child.destroy();
      throw new UserError(UserError.FAILED, "the stack did not start within 180 s; see " + log);
    }
  }

  static void print(StackState s) {
    System.out.println("bootstrap      " + s.bootstrap());
    System.out.println("simulator      " + s.simulator());
    s.services().forEach((name, url) -> System.out.printf("%-14s %s%n", name, url));
    String orchestrator = s.services().get("orchestrator");
    if (orchestrator != null) {
      System.out.println("console        " + orchestrator + "/console/");
      System.out.println("openai api     " + orchestrator + "/v1 (models moa/<config>)");
    }
    if (s.prometheus() != null) {
      System.out.println("prometheus     " + s.prometheus());
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show the running local stack. Exit code 1 when none is up.")
  public static final class Status implements Callable<Integer> {
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Optional<StackState> state = StackState.running();
      if (state.isEmpty()) {
        if (json) {
          System.out.println("{\"running\": false}");
        } else {
          System.out.println("moa: no stack is up (start one with 'moa up')");
        }
        return 1;
      }
      if (json) {
        var out = new java.util.LinkedHashMap<String, Object>();
        out.put("running", true);
        out.putAll(state.get().statusJson());
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
      } else {
        print(state.get());
      }
      return 0;
    }
  }

  @Command(
      name = "down",
      mixinStandardHelpOptions = true,
      description = "Stop the local stack started by 'moa up' (services drain, broker shuts down).")
  public static final class Down implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Optional<StackState> state = StackState.running();
      if (state.isEmpty()) {
        System.out.println("moa: no stack is up");
        Files.deleteIfExists(StackState.file());
        return 0;
      }
      ProcessHandle handle = ProcessHandle.of(state.get().pid()).orElse(null);
      if (handle != null) {
        handle.destroy();
        try {
          handle.onExit().get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          handle.destroyForcibly();
          System.err.println("moa: the stack did not stop within 90 s; killed it");
        }
      }
      Files.deleteIfExists(StackState.file());
      System.out.println("moa: stack stopped");
      return 0;
    }
  }
}
