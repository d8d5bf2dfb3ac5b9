package dev.moa.cli;

import dev.moa.cli.stack.LocalStack;
import dev.moa.cli.stack.StackState;
import dev.moa.orchestrator.security.ApiAccess;
import dev.moa.runtime.kafka.TopicAdmin;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run one service alone against any Kafka cluster, in the foreground until interrupted. Several instances of a service may run at once; they share the work by partition."
    })
final class RunCommand implements Callable<Integer> {

  @Parameters(
      paramLabel = "SERVICE",
      description = "orchestrator, agent-worker, aggregator or grader-worker")
  String service;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka (default: the stack of 'moa up', if one is running)")
  String bootstrap;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "orchestrator: the MoA config for HTTP requests that bring none")
  Path config;

  @Option(
      names = "--port",
      defaultValue = "0",
      description = "HTTP port for health, metrics and (orchestrator) the API; 0 = a free port")
  int port;

  @Option(
      names = "--address",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description =
          "Interface the HTTP port binds (default: ${DEFAULT-VALUE}, this machine only). The"
              + " orchestrator bound anywhere else (e.g. 0.0.0.0) requires a bearer token on every"
              + " API call, read from the environment variable MOA_API_TOKEN (at least 16"
              + " characters), and refuses to start without it.")
  String address;

  @Option(
      names = "--simulator-url",
      paramLabel = "URL",
      description = "orchestrator: the simulator providers without keys fall back to")
  String simulatorUrl;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "orchestrator: Kafka Streams state folder (rebuilt from Kafka when lost)")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    Class<?> app = LocalStack.SERVICES.get(service);
    if (app == null) {
      throw new UserError(
          UserError.USAGE,
          "SERVICE: '" + service + "' is not one of " + LocalStack.SERVICES.keySet());
    }
    boolean given = bootstrap != null;
    if (bootstrap == null) {
      bootstrap =
          StackState.running()
              .map(StackState::bootstrap)
              .orElseThrow(
                  () ->
                      new UserError(
                          UserError.USAGE,
                          "--bootstrap: give the Kafka address, or start a stack with 'moa up'"));
    }
    if (config != null) {
      Configs.load(config); // fail now, in one line, rather than at the first request
    }
    if (app == dev.moa.orchestrator.OrchestratorApplication.class) {
      // Fail now, in one line, rather than after Kafka and Kafka Streams have started.
      try {
        ApiAccess.forAddress(address, ApiAccess.DEFAULT_TOKEN_ENV, System::getenv);
      } catch (ApiAccess.ApiAccessException e) {
        throw new UserError(UserError.USAGE, "--address: " + e.getMessage());
      }
    }
    TopicAdmin.ensureTopics(KafkaConnect.settings(bootstrap, given), 15_000);
    java.util.Map<String, String> props = new java.util.HashMap<>();
    props.put("server.address", address);
    if (simulatorUrl != null) {
      props.put("moa.orchestrator.simulator-base-url", simulatorUrl);
    }
    if (config != null) {
      props.put("moa.orchestrator.default-config", config.toAbsolutePath().toString());
    }
    if (stateDir != null) {
      props.put("moa.orchestrator.state-dir", stateDir.toString());
    }
    if (given) {
      KafkaClientFile.fromEnvironment(System::getenv)
          .forEach((k, v) -> props.put("moa.kafka.properties." + k, v));
    }
    ConfigurableApplicationContext ctx = LocalStack.startService(app, bootstrap, port, props);
    System.err.println(
        "moa: "
            + service
            + " running (http://127.0.0.1:"
            + ctx.getEnvironment().getProperty("local.server.port")
            + "); Ctrl-C stops it");
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  ctx.close();
                  done.countDown();
                }));
    done.await();
    return 0;
  }
}
