package dev.moa.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The broker the integration tests of one JVM share, started on first use and stopped when the JVM
 * exits. Tests keep apart by their own ids; one per JVM (not per reactor run) because services'
 * consumer groups are fixed and test JVMs of different modules run at once (decision 044).
 */
public final class TestBroker {

  private static LocalBroker started;

  private TestBroker() {}

  /** {@code host:port} of this JVM's test broker, started on first use. */
  public static synchronized String bootstrap() {
    if (started == null || !started.isAlive()) {
      try {
        Path dir = Files.createTempDirectory("moa-it-broker");
        started = LocalBroker.start(0, dir, Duration.ofSeconds(90));
        LocalBroker broker = started;
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return started.bootstrap();
  }
}
