package dev.moa.cli.bench;

import dev.moa.cli.Configs;
import dev.moa.cli.Dirs;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.cli.stack.WorkerProcess;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.runtime.kafka.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "footprint",
    mixinStandardHelpOptions = true,
    description = {
      "Resident memory of the whole local stack: this JVM (simulator, orchestrator, agent worker,"
          + " aggregator, grader worker, and the benchmark's own client) plus its child processes"
          + " (the Kafka broker's JVM), VmRSS from /proc/PID/status. Idle: the highest of"
          + " --idle samples a second apart, after start and warm-up. Under load: the highest"
          + " sample (every 500 ms) while a throughput-style load (a window of requests"
          + " outstanding, simulator profile instant) runs for --duration. Target: <= 1.5 GB."
          + " This JVM's heap limit comes from MOA_JAVA_OPTS (bin/moa: -Xmx1g).",
    })
final class FootprintBench implements Callable<Integer> {

  static final double TARGET_MB = 1536;

  @Option(
      names = "--duration",
      defaultValue = "30",
      description = "seconds of load (default ${DEFAULT-VALUE})")
  int duration;

  @Option(
      names = "--idle",
      defaultValue = "10",
      description = "idle samples, one a second (default ${DEFAULT-VALUE})")
  int idle;

  @Option(
      names = "--window",
      defaultValue = "32",
      description = "requests outstanding under load (default ${DEFAULT-VALUE})")
  int window;

  @Option(
      names = "--simulator-profile",
      defaultValue = "instant",
      description = "cerebras, gpu or instant (default ${DEFAULT-VALUE})")
  String profile;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "use this Kafka instead of starting a local broker (its memory is then not counted)")
  String bootstrap;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  /** Resident bytes of this JVM and of all its descendants. */
  record Rss(long self, long children) {
    long total() {
      return self + children;
    }

    static Rss now() {
      long self = rssBytes(ProcessHandle.current().pid());
      long children =
          ProcessHandle.current()
              .descendants()
              .mapToLong(p -> Math.max(0, rssBytes(p.pid())))
              .sum();
      return new Rss(self, children);
    }

    static Rss max(Rss a, Rss b) {
      return a == null || b.total() > a.total() ? b : a;
    }

    /** Resident bytes of a process (VmRSS of /proc/PID/status); -1 if gone. */
    static long rssBytes(long pid) {
      try {
        return BenchStats.rssBytes(Files.readString(Path.of("/proc/" + pid + "/status")));
      } catch (IOException e) {
        return -1;
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    if (duration < 1 || idle < 1 || window < 1) {
      throw new UserError(UserError.USAGE, "--duration, --idle and --window must be >= 1");
    }
    MoaConfig moaConfig = Configs.load(null);
    LocalStack.Status status = json ? LocalStack.Status.quiet() : LocalStack.Status.stderr();
    Path dir = Files.createTempDirectory("moa-bench-footprint");
    Rss idleMax = null;
    Rss loadMax;
    long answered;
    int processes;
    try (LocalStack stack = LocalStack.start(bootstrap, dir, 0, profile, status)) {
      processes = 1 + (int) ProcessHandle.current().descendants().count();
      status.say("idle: " + idle + " samples, one a second");
      for (int i = 0; i < idle; i++) {
        WorkerProcess.sleep(1000);
        idleMax = Rss.max(idleMax, Rss.now());
      }
      var providers = Configs.resolveProviders(moaConfig, stack.simulator().baseUrl());
      MoaConfigSnapshot snapshot = RequestFactory.snapshot(moaConfig, providers);
      AtomicBoolean sampling = new AtomicBoolean(true);
      AtomicLong maxSelf = new AtomicLong();
      AtomicLong maxChildren = new AtomicLong();
      AtomicLong maxTotal = new AtomicLong();
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  Rss r = Rss.now();
                  if (r.total() > maxTotal.get()) {
                    maxTotal.set(r.total());
                    maxSelf.set(r.self());
                    maxChildren.set(r.children());
                  }
                  WorkerProcess.sleep(500);
                }
              },
              "moa-bench-rss");
      sampler.setDaemon(true);
      status.say("under load: " + window + " requests outstanding for " + duration + " s");
      try (RequestLoad load =
          new RequestLoad(KafkaSettings.local(stack.bootstrap()), snapshot, window)) {
        sampler.start();
        load.runFor(Duration.ofSeconds(duration));
        answered = load.succeeded();
      } finally {
        sampling.set(false);
        sampler.join(5_000);
      }
      loadMax = new Rss(maxSelf.get(), maxChildren.get());
    } finally {
      Dirs.deleteQuietly(dir);
    }
    double mb = 1048576;
    BenchReport r =
        new BenchReport(
            "footprint",
            processes + " processes, profile " + profile + ", " + window + " requests outstanding");
    r.figure("processes", processes);
    r.figure("idle_rss_mb_total", idleMax.total() / mb);
    r.figure("idle_rss_mb_cli_jvm", idleMax.self() / mb);
    r.figure("idle_rss_mb_children", idleMax.children() / mb);
    r.figure("load_rss_mb_total", loadMax.total() / mb);
    r.figure("load_rss_mb_cli_jvm", loadMax.self() / mb);
    r.figure("load_rss_mb_children", loadMax.children() / mb);
    r.figure("load_requests_answered", answered);
    r.figure("cli_jvm_max_heap_mb", Runtime.getRuntime().maxMemory() / mb);
    r.target(
        BenchReport.Target.atMost("idle RSS, whole stack (MB)", idleMax.total() / mb, TARGET_MB));
    r.target(
        BenchReport.Target.atMost(
            "RSS under load, whole stack (MB)", loadMax.total() / mb, TARGET_MB));
    r.note("cli_jvm: simulator + all services + the benchmark client; children: the broker's JVM");
    r.print(json, System.out);
    return 0;
  }
}
