package dev.moa.cli;

import dev.moa.cli.stack.StackState;
import dev.moa.localkafka.LocalBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Run a local single-node KRaft broker (Kafka's own server, from Maven Central) in the foreground until interrupted. Its data survives restarts in --data."
    })
final class BrokerCommand implements Callable<Integer> {

  @Option(
      names = "--port",
      defaultValue = "9092",
      description = "client port (default ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "data folder (default $MOA_HOME/broker)")
  Path data;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new UserError(UserError.USAGE, "--port: " + port + " is outside 0..65535");
    }
    Path dir = data != null ? data : StackState.home().resolve("broker");
    LocalBroker broker = LocalBroker.start(port, dir, Duration.ofSeconds(120));
    System.out.println("bootstrap " + broker.bootstrap());
    System.err.println(
        "moa: broker running (data "
            + dir
            + ", log "
            + dir.resolve("broker.log")
            + "); Ctrl-C stops it");
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  done.countDown();
                }));
    done.await();
    return 0;
  }
}
