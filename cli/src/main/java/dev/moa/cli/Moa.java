package dev.moa.cli;

import dev.moa.cli.batch.CancelCommand;
import dev.moa.cli.batch.EvalCommand;
import dev.moa.cli.batch.GradeCommand;
import dev.moa.cli.batch.SweepCommand;
import dev.moa.cli.bench.BenchCommand;
import dev.moa.cli.chaos.ChaosCommand;
import dev.moa.cli.stack.StackCommands;
import dev.moa.runtime.kafka.KafkaUnreachableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code moa} command. */
@Command(
    name = "moa",
    mixinStandardHelpOptions = true,
    version = "moa 0.1.0",
    description = {
      "MoA Pipeline: a distributed Mixture-of-Agents engine on Apache Kafka.",
      "",
      "Without --bootstrap, commands that need Kafka use the stack started by 'moa up', or start a local one (a real single-node KRaft broker, the simulator and all services) for the duration of the command. With CEREBRAS_API_KEY set, the default config calls Cerebras; otherwise the built-in simulator answers and outputs say 'simulated model'."
    },
    subcommands = {
      AskCommand.class,
      EvalCommand.class,
      SweepCommand.class,
      GradeCommand.class,
      CancelCommand.class,
      StackCommands.Up.class,
      StackCommands.Status.class,
      StackCommands.Down.class,
      RunCommand.class,
      BrokerCommand.class,
      SimulatorCommand.class,
      ConfigCommand.class,
      BenchCommand.class,
      ChaosCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Moa implements Runnable {

  static {
    dev.moa.protocol.serde.AvroTrust.install();
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Moa());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          UserError user = userError(ex);
          commandLine.getErr().println("moa: error: " + user.getMessage());
          if (System.getenv("MOA_DEBUG") != null) {
            ex.printStackTrace(commandLine.getErr());
          }
          return user.exitCode();
        });
    return cli.execute(args);
  }

  /** Maps any failure to a one-line user error; known causes get their own wording. */
  public static UserError userError(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof UserError u) {
        return u;
      }
      if (t instanceof KafkaUnreachableException k) {
        return new UserError(UserError.KAFKA, k.getMessage());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return new UserError(UserError.FAILED, AnswerWatcher.rootMessage(ex));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
