package dev.moa.cli.bench;

import dev.moa.cli.Dirs;
import dev.moa.cli.Durations;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.cli.stack.WorkerProcess;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "scaling",
    mixinStandardHelpOptions = true,
    description = {
      "Does throughput grow with agent workers? 1, then 2, then 4 agent workers (each its own JVM,"
          + " like 'moa run agent-worker'; added one phase after another) consume moa.agent-tasks"
          + " (24 partitions) against a simulator whose every call takes --latency, each worker"
          + " capped at --max-in-flight calls (one consumer), so a worker is the bottleneck:"
          + " ideally max-in-flight / latency calls/s each. A publisher keeps a backlog of tasks"
          + " ahead of the workers. Each phase waits until the consumer group has every worker"
          + " with partitions (all 24 assigned), settles, then counts results for --duration."
          + " Target: 4 workers >= 3.6 x one.",
    })
final class ScalingBench implements Callable<Integer> {

  static final double TARGET_4_OVER_1 = 3.6;

  @Option(
      names = "--workers",
      defaultValue = "1,2,4",
      split = ",",
      description = "worker counts, ascending (default ${DEFAULT-VALUE})")
  List<Integer> counts;

  @Option(
      names = "--latency",
      defaultValue = "1s",
      description = "duration of every simulated call (default ${DEFAULT-VALUE})")
  String latency;

  @Option(
      names = "--max-in-flight",
      defaultValue = "64",
      description = "each worker's moa.agent-worker.max-in-flight (default ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(
      names = "--duration",
      defaultValue = "30",
      description = "measured seconds per phase (default ${DEFAULT-VALUE})")
  int duration;

  @Option(
      names = "--settle",
      defaultValue = "5",
      description = "seconds between a stable group and measuring (default ${DEFAULT-VALUE})")
  int settle;

  @Option(
      names = "--worker-heap",
      defaultValue = "256m",
      description = "each worker JVM's -Xmx (default ${DEFAULT-VALUE})")
  String heap;

  @Mixin BenchOptions common = new BenchOptions();

  static final String GROUP = "moa-agent-workers";

  @Override
  public Integer call() throws Exception {
    Duration callLatency = Durations.parse("--latency", latency);
    if (counts.isEmpty() || counts.get(0) < 1 || maxInFlight < 1 || duration < 1) {
      throw new UserError(
          UserError.USAGE, "--workers, --max-in-flight and --duration must be >= 1");
    }
    for (int i = 1; i < counts.size(); i++) {
      if (counts.get(i) <= counts.get(i - 1)) {
        throw new UserError(UserError.USAGE, "--workers: " + counts + " must be ascending");
      }
    }
    LocalStack.Status status = common.status();
    Path dir = Files.createTempDirectory("moa-bench-scaling");
    Map<Integer, Double> rates = new LinkedHashMap<>();
    List<WorkerProcess> workers = new ArrayList<>();
    try (TaskLoad load = new TaskLoad(common.bootstrap, dir, callLatency, 64, status)) {
      // Four times what the workers hold in flight, over 24 partitions: no consumer runs dry.
      load.publishBacklog(() -> Math.max(1, workers.size()) * maxInFlight * 4);
      try {
        for (int n : counts) {
          status.say("phase " + n + ": starting " + (n - workers.size()) + " worker(s)");
          List<Thread> starting = new ArrayList<>();
          List<WorkerProcess> started = java.util.Collections.synchronizedList(new ArrayList<>());
          for (int i = workers.size(); i < n; i++) {
            Path log = dir.resolve("worker-" + i + ".log");
            Thread t =
                new Thread(
                    () ->
                        started.add(
                            WorkerProcess.start(
                                load.bootstrap(),
                                jvmOptions(),
                                Map.of(
                                    "moa.agent-worker.concurrency",
                                    "1",
                                    "moa.agent-worker.max-in-flight",
                                    String.valueOf(maxInFlight)),
                                log,
                                Duration.ofMinutes(3))));
            t.start();
            starting.add(t);
          }
          for (Thread t : starting) {
            t.join();
          }
          workers.addAll(started);
          if (workers.size() != n) {
            throw new UserError(UserError.FAILED, "a worker did not start; see " + dir);
          }
          awaitGroup(load.settings(), n, Duration.ofMinutes(2));
          WorkerProcess.sleep(settle * 1000L + callLatency.toMillis());
          long r0 = load.results();
          long start = System.nanoTime();
          WorkerProcess.sleep(duration * 1000L);
          double rate = (load.results() - r0) / ((System.nanoTime() - start) / 1e9);
          rates.put(n, rate);
          status.say(String.format("phase %d: %.1f calls/s", n, rate));
        }
        load.stopPublishing();
        load.awaitDrained(Duration.ofSeconds(60));
      } finally {
        workers.forEach(WorkerProcess::close);
      }
    } finally {
      Dirs.deleteQuietly(dir);
    }
    report(rates, callLatency).print(common.json, System.out);
    return 0;
  }

  private List<String> jvmOptions() {
    List<String> opts = new ArrayList<>(List.of("-Xmx" + heap));
    opts.addAll(WorkerProcess.DEFAULT_JVM_OPTIONS);
    return opts;
  }

  BenchReport report(Map<Integer, Double> rates, Duration callLatency) {
    BenchReport r =
        new BenchReport(
            "scaling",
            "workers "
                + rates.keySet()
                + ", each capped at "
                + maxInFlight
                + " in flight, "
                + callLatency.toMillis()
                + " ms calls");
    r.figure("max_in_flight_per_worker", maxInFlight);
    r.figure("call_latency_s", callLatency.toMillis() / 1000.0);
    r.figure("ideal_calls_per_s_per_worker", maxInFlight * 1000.0 / callLatency.toMillis());
    int first = rates.keySet().iterator().next();
    double base = rates.get(first);
    rates.forEach((n, v) -> r.figure("calls_per_s_" + n + "_workers", v));
    rates.forEach(
        (n, v) -> {
          if (n != first) {
            r.figure("ratio_" + n + "_over_" + first, v / base);
          }
        });
    if (first == 1 && rates.containsKey(4)) {
      r.target(
          BenchReport.Target.atLeast("4 workers / 1 worker", rates.get(4) / base, TARGET_4_OVER_1));
    }
    r.note("calls/s: results read back from moa.agent-results during the phase's window");
    return r;
  }

  /** Waits until the group has {@code n} members holding all of moa.agent-tasks' partitions. */
  static void awaitGroup(KafkaSettings settings, int n, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(settings.common())) {
      while (System.nanoTime() < deadline) {
        ConsumerGroupDescription d =
            admin.describeConsumerGroups(List.of(GROUP)).describedGroups().get(GROUP).get();
        int assigned = 0;
        boolean everyoneHasSome = true;
        for (MemberDescription m : d.members()) {
          long mine =
              m.assignment().topicPartitions().stream()
                  .filter(tp -> tp.topic().equals(Topics.AGENT_TASKS.name()))
                  .count();
          assigned += (int) mine;
          everyoneHasSome &= mine > 0;
        }
        if (d.groupState() == org.apache.kafka.common.GroupState.STABLE
            && d.members().size() == n
            && everyoneHasSome
            && assigned == Topics.AGENT_TASKS.partitions()) {
          return;
        }
        WorkerProcess.sleep(250);
      }
    }
    throw new UserError(
        UserError.FAILED, "the agent workers' group did not settle on " + n + " members");
  }
}
