package dev.moa.cli.chaos;

import dev.moa.cli.Dirs;
import dev.moa.cli.Durations;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.simulator.FaultRates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
      "Crash and fault test of the whole pipeline on loopback: a 3-node KRaft cluster (child JVMs,"
          + " replication factor 3, min.insync.replicas 2), the simulator injecting --faults,"
          + " 1 orchestrator, 3 agent workers, 1 aggregator and 2 grader workers, each its own JVM"
          + " like 'moa run SERVICE'. Submits --requests requests (2 layers of 3 agents, a regex"
          + " grader) in six slices; between slices it kills with SIGKILL, one at a time, an agent"
          + " worker, the orchestrator, the aggregator, a grader worker and one broker, each while"
          + " requests are in flight, and restarts it. Then prints requests submitted, final"
          + " answers, grades, lost and duplicated requests (by request id, read_committed),"
          + " faults injected by kind, retries by cause, DLT records and wall time. Exit code 0"
          + " when nothing was lost or duplicated and every kill happened, else 1.",
    })
public final class ChaosCommand implements Callable<Integer> {

  static final String DEFAULT_FAULTS = "5xx=0.1,429=0.05,stall=0.02,truncate=0.01,malformed=0.01";

  @Option(
      names = "--requests",
      defaultValue = "2000",
      description = "requests to submit (default ${DEFAULT-VALUE})")
  int requests;

  @Option(
      names = "--faults",
      defaultValue = DEFAULT_FAULTS,
      description = "the simulator's fault rates (default ${DEFAULT-VALUE})")
  String faults;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description =
          "seeds the simulator's faults and the choice of victims (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--idle-timeout",
      defaultValue = "5s",
      description =
          "the model callers' idle timeout: a stalled stream is retried after it (default"
              + " ${DEFAULT-VALUE})")
  String idleTimeout;

  @Option(
      names = "--settle-timeout",
      defaultValue = "300",
      description =
          "seconds without a new answer or grade after which the missing ones count as lost"
              + " (default ${DEFAULT-VALUE})")
  int settleTimeout;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "brokers' data, state and logs (default: a temporary folder, kept on failure)")
  Path workDir;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (requests < ChaosRun.KILLS.size() + 1) {
      throw new UserError(
          UserError.USAGE,
          "--requests: " + requests + " must be >= " + (ChaosRun.KILLS.size() + 1));
    }
    if (settleTimeout < 1) {
      throw new UserError(UserError.USAGE, "--settle-timeout: " + settleTimeout + " must be >= 1");
    }
    FaultRates rates;
    try {
      rates = FaultRates.parse(faults);
    } catch (IllegalArgumentException e) {
      throw new UserError(UserError.USAGE, "--faults: " + e.getMessage());
    }
    var idle = Durations.parse("--idle-timeout", idleTimeout);
    LocalStack.Status status = json ? LocalStack.Status.quiet() : LocalStack.Status.stderr();
    boolean temporary = workDir == null;
    Path dir = temporary ? Files.createTempDirectory("moa-chaos") : workDir;
    ChaosReport report;
    try (ChaosRun run = new ChaosRun(dir, requests, rates, seed, idle, settleTimeout, status)) {
      report = run.run();
    }
    report.print(json, System.out);
    boolean passed = report.passed(ChaosRun.KILLS.size());
    if (passed && temporary) {
      Dirs.deleteQuietly(dir);
    } else {
      status.say("logs and data kept in " + dir);
    }
    return passed ? 0 : 1;
  }
}
