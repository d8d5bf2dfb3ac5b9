package dev.moa.cli;

import picocli.CommandLine.Option;

/** Options shared by every command that needs Kafka. */
public final class KafkaOptions {

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "Use this Kafka cluster. Default: the stack of 'moa up' if one is running, else a local"
              + " stack started for this command.")
  public String bootstrap;

  @Option(
      names = "--simulator-profile",
      paramLabel = "NAME",
      defaultValue = "cerebras",
      description =
          "Latency profile of the simulator a local stack starts: cerebras (0.17 s + 2,000 tok/s),"
              + " gpu (0.5 s + 80 tok/s) or instant. Default: ${DEFAULT-VALUE}.")
  public String simulatorProfile;
}
