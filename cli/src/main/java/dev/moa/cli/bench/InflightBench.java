package dev.moa.cli.bench;

import dev.moa.cli.Dirs;
import dev.moa.cli.Durations;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.cli.stack.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "inflight",
    mixinStandardHelpOptions = true,
    description = {
      "How many model calls ONE agent worker keeps in flight, and in how much heap. The worker"
          + " runs in its own JVM (like 'moa run agent-worker', -Xmx512m by default) against a"
          + " local broker and a simulator whose every call takes --latency. AgentTasks (the"
          + " workshop config's first-layer prompts, built by TaskFactory) are published straight"
          + " to moa.agent-tasks at --rate tasks/s, so rate x latency calls should be in flight."
          + " Every second the worker's /actuator/prometheus is read: moa_inflight_calls and"
          + " jvm_memory_used_bytes{area=heap}. Reported over the measured window (after one"
          + " latency + 5 s of ramp-up): in-flight calls by the worker's gauge (median = sustained,"
          + " min, max) and by the simulator (calls it is serving: the target's figure), calls/s"
          + " (results read back), heap used (max), GC pause time. Target: >= 2,000 in flight"
          + " within 512 MB.",
    })
final class InflightBench implements Callable<Integer> {

  static final int TARGET_INFLIGHT = 2000;
  static final double HEAP_LIMIT_MB = 512;

  @Option(
      names = "--rate",
      defaultValue = "1250",
      description = "tasks published per second (default ${DEFAULT-VALUE})")
  double rate;

  @Option(
      names = "--latency",
      defaultValue = "2s",
      description = "duration of every simulated call (default ${DEFAULT-VALUE})")
  String latency;

  @Option(
      names = "--duration",
      defaultValue = "60",
      description = "measured seconds (default ${DEFAULT-VALUE})")
  int duration;

  @Option(
      names = "--max-in-flight",
      defaultValue = "2048",
      description =
          "the worker's moa.agent-worker.max-in-flight, per consumer (default ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(
      names = "--concurrency",
      defaultValue = "2",
      description = "the worker's moa.agent-worker.concurrency (default ${DEFAULT-VALUE})")
  int concurrency;

  @Option(
      names = "--max-tokens",
      defaultValue = "64",
      description = "max_tokens of every task (default ${DEFAULT-VALUE})")
  int maxTokens;

  @Option(
      names = "--worker-heap",
      defaultValue = "512m",
      description = "the worker JVM's -Xmx (default ${DEFAULT-VALUE})")
  String heap;

  @Option(
      names = "--worker-jvm-option",
      paramLabel = "OPTION",
      description =
          "an extra option of the worker JVM, e.g. -XX:StartFlightRecording=filename=w.jfr")
  List<String> jvmOptions = new ArrayList<>();

  @Mixin BenchOptions common = new BenchOptions();

  /** One scrape of the worker. */
  record Sample(double inflight, double heapUsedBytes, int simulatorRunning) {}

  @Override
  public Integer call() throws Exception {
    Duration callLatency = Durations.parse("--latency", latency);
    if (rate <= 0 || duration < 1) {
      throw new UserError(UserError.USAGE, "--rate must be > 0 and --duration >= 1");
    }
    LocalStack.Status status = common.status();
    Path dir = Files.createTempDirectory("moa-bench-inflight");
    List<Sample> samples = new ArrayList<>();
    long calls;
    double seconds;
    long failed;
    double gcSeconds;
    try (TaskLoad load = new TaskLoad(common.bootstrap, dir, callLatency, maxTokens, status)) {
      List<String> opts = new ArrayList<>(List.of("-Xmx" + heap));
      opts.addAll(WorkerProcess.DEFAULT_JVM_OPTIONS);
      opts.addAll(jvmOptions);
      Map<String, String> props = new LinkedHashMap<>();
      props.put("moa.agent-worker.max-in-flight", String.valueOf(maxInFlight));
      props.put("moa.agent-worker.concurrency", String.valueOf(concurrency));
      status.say("starting one agent worker (" + String.join(" ", opts) + ")");
      try (WorkerProcess worker =
          WorkerProcess.start(
              load.bootstrap(), opts, props, dir.resolve("worker.log"), Duration.ofMinutes(3))) {
        double gc0 = gcSeconds(worker);
        status.say(
            "publishing "
                + rate
                + " tasks/s of "
                + callLatency.toMillis()
                + " ms calls; ramp-up, then "
                + duration
                + " s measured");
        load.publishAtRate(rate);
        long rampMs = callLatency.toMillis() + 5_000;
        sampleFor(worker, load, rampMs, new ArrayList<>());
        long results0 = load.results();
        long start = System.nanoTime();
        sampleFor(worker, load, duration * 1000L, samples);
        seconds = (System.nanoTime() - start) / 1e9;
        calls = load.results() - results0;
        load.stopPublishing();
        gcSeconds = gcSeconds(worker) - gc0;
        load.awaitDrained(callLatency.plusSeconds(30));
        failed = load.failed();
      }
    } finally {
      Dirs.deleteQuietly(dir);
    }
    report(samples, calls, seconds, failed, gcSeconds, callLatency).print(common.json, System.out);
    return 0;
  }

  private BenchReport report(
      List<Sample> samples,
      long calls,
      double seconds,
      long failed,
      double gcSeconds,
      Duration callLatency) {
    double[] inflight = samples.stream().mapToDouble(Sample::inflight).toArray();
    double[] running = samples.stream().mapToDouble(Sample::simulatorRunning).toArray();
    double heapMaxMb =
        samples.stream().mapToDouble(Sample::heapUsedBytes).max().orElse(Double.NaN) / 1048576;
    BenchReport r =
        new BenchReport(
            "inflight",
            "one agent worker, -Xmx"
                + heap
                + ", "
                + callLatency.toMillis()
                + " ms calls at "
                + rate
                + " tasks/s");
    r.figure("rate_tasks_per_s", rate);
    r.figure("call_latency_s", callLatency.toMillis() / 1000.0);
    r.figure("expected_inflight", rate * callLatency.toMillis() / 1000.0);
    r.figure("max_in_flight_setting", maxInFlight * concurrency);
    r.figure("inflight_p50", BenchStats.percentile(inflight, 50));
    r.figure("inflight_min", BenchStats.percentile(inflight, 0));
    r.figure("inflight_max", BenchStats.percentile(inflight, 100));
    r.figure("simulator_running_p50", BenchStats.percentile(running, 50));
    r.figure("calls_per_s", calls / seconds);
    r.figure("failed_calls", failed);
    r.figure("heap_used_mb_max", heapMaxMb);
    r.figure("gc_pause_s_in_window", gcSeconds);
    r.figure("samples", samples.size());
    // The simulator's count is the stricter one: the gauge also counts calls the worker accepted
    // whose HTTP request has not reached the provider yet (queued behind a busy CPU).
    r.target(
        BenchReport.Target.atLeast(
            "calls in flight at the provider (median of 1 s samples)",
            BenchStats.percentile(running, 50),
            TARGET_INFLIGHT));
    r.target(BenchReport.Target.atMost("heap used, max (MB)", heapMaxMb, HEAP_LIMIT_MB));
    r.note(
        "inflight: the worker's moa_inflight_calls gauge; simulator_running: calls the simulator"
            + " was serving at the same moments");
    return r;
  }

  /** Scrapes the worker about once a second for {@code millis}. */
  private static void sampleFor(
      WorkerProcess worker, TaskLoad load, long millis, List<Sample> into) {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      long next = System.nanoTime() + 1_000_000_000L;
      try {
        String text = worker.prometheus();
        into.add(
            new Sample(
                BenchStats.prometheusSum(text, "moa_inflight_calls", Map.of()),
                BenchStats.prometheusSum(text, "jvm_memory_used_bytes", Map.of("area", "heap")),
                load.simulator().stats().running()));
      } catch (java.io.IOException e) {
        // a missed scrape: the worker is busy; the next one counts
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = System.nanoTime();
      long pause = Math.min(next, end) - now;
      if (pause > 0) {
        WorkerProcess.sleep(pause / 1_000_000 + 1);
      }
    }
  }

  private static double gcSeconds(WorkerProcess worker) {
    try {
      double v =
          BenchStats.prometheusSum(worker.prometheus(), "jvm_gc_pause_seconds_sum", Map.of());
      return Double.isNaN(v) ? 0 : v;
    } catch (Exception e) {
      return Double.NaN;
    }
  }
}
