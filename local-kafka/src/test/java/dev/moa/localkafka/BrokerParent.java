package dev.moa.localkafka;

import java.nio.file.Path;
import java.time.Duration;

/** A parent process for {@link BrokerOrphanIT}: starts a broker, prints its pid, then waits. */
public final class BrokerParent {

  private BrokerParent() {}

  public static void main(String[] args) throws Exception {
    LocalBroker broker = LocalBroker.start(0, Path.of(args[0]), Duration.ofSeconds(90));
    System.out.println("broker-pid " + broker.pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
