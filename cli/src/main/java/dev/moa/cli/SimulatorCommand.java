package dev.moa.cli;

import dev.moa.simulator.FaultRates;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "simulator",
    mixinStandardHelpOptions = true,
    description = {
      "Run the OpenAI-compatible simulator in the foreground: POST /v1/chat/completions (streaming and not), GET /v1/models. Answers are synthetic and say 'simulated model'."
    })
final class SimulatorCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "8000", description = "port (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind")
  String host;

  @Option(
      names = "--profile",
      defaultValue = "cerebras",
      description = "cerebras (0.17 s + 2,000 tok/s), gpu (0.5 s + 80 tok/s) or instant")
  String profile;

  @Option(
      names = "--time-scale",
      defaultValue = "1.0",
      description = "multiply every delay by this factor (0 = no delays)")
  double timeScale;

  @Option(
      names = "--faults",
      defaultValue = "",
      description = "fault rates, e.g. 5xx=0.1,429=0.05,stall=0.02,truncate=0.01,malformed=0.01")
  String faults;

  @Option(
      names = "--rpm",
      defaultValue = "0",
      description =
          "requests per API key and window; over it: 429 with retry-after (default 0 = no limit)")
  long rpm;

  @Option(
      names = "--tpm",
      defaultValue = "0",
      description =
          "tokens (input + max_completion_tokens, counted at admission) per API key and window"
              + " (default 0 = no limit)")
  long tpm;

  @Option(
      names = "--limit-window",
      defaultValue = "60s",
      description =
          "the --rpm/--tpm window, shorter to time-scale a test (default ${DEFAULT-VALUE})")
  String limitWindow;

  @Override
  public Integer call() throws Exception {
    SimulatorOptions options;
    try {
      options =
          SimulatorOptions.builder()
              .host(host)
              .port(port)
              .defaultProfile(Profile.named(profile))
              .timeScale(timeScale)
              .faults(FaultRates.parse(faults))
              .rpm(rpm)
              .tpm(tpm)
              .limitWindow(Durations.parse("--limit-window", limitWindow))
              .build();
    } catch (IllegalArgumentException e) {
      throw new UserError(UserError.USAGE, e.getMessage());
    }
    Simulator sim = Simulator.start(options);
    System.out.println("simulator " + sim.baseUrl());
    System.err.println("moa: simulator running (profile " + profile + "); Ctrl-C stops it");
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sim.close();
                  done.countDown();
                }));
    done.await();
    return 0;
  }
}
