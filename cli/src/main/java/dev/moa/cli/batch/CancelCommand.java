package dev.moa.cli.batch;

import dev.moa.batch.RunCancellation;
import dev.moa.cli.KafkaConnect;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.StackState;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = {
      "Cancel a batch run: no new task of the run starts anywhere (the orchestrator ends its requests CANCELLED; calls already running finish), the eval stops submitting and its report says cancelled. Exit code 0 when the run was cancelled, 2 when there is no such run or it already ended, 3 when Kafka cannot be reached."
    })
public final class CancelCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN_ID", description = "the run to cancel")
  String runId;

  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      defaultValue = "cancelled by the user",
      description = "Why; shown in the report (default: ${DEFAULT-VALUE}).")
  String reason;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "The run's Kafka cluster. Default: the cluster of the run if it was started on this machine, else the stack of 'moa up'.")
  String bootstrap;

  @Override
  public Integer call() {
    BatchCommand.checkRunId(runId);
    String cluster = bootstrap;
    if (cluster == null) {
      Optional<String> local = ActiveRuns.bootstrapOf(runId);
      if (local.isPresent()) {
        cluster = local.get();
      } else {
        cluster = StackState.running().map(StackState::bootstrap).orElse(null);
      }
    }
    if (cluster == null) {
      throw new UserError(
          UserError.USAGE,
          "run "
              + runId
              + " is not running on this machine and no stack is up; pass --bootstrap HOST:PORT");
    }
    KafkaSettings settings = KafkaConnect.settings(cluster, bootstrap != null);
    TopicAdmin.ensureTopics(settings, 15_000);
    RunCancellation.Result result = RunCancellation.onTopic(settings).cancel(runId, reason);
    if (result instanceof RunCancellation.NotFound) {
      throw new UserError(UserError.USAGE, "no run " + runId + " on " + cluster);
    }
    if (result instanceof RunCancellation.AlreadyEnded ended) {
      throw new UserError(UserError.USAGE, ended.message());
    }
    System.out.println("cancelled run " + runId + " (" + reason + ")");
    return 0;
  }
}
