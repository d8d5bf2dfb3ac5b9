package dev.moa.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The broker the integration tests of one JVM share: the one named by the system property {@value
 * #BOOTSTRAP_PROPERTY} (bin/test starts one for the whole reactor run), else one started here on
 * first use and stopped when the JVM exits. Tests keep apart by their own ids and consumer groups.
 */
public final class TestBroker {

  /** A running broker's {@code host:port} for every test JVM to use instead of starting one. */
  public static final String BOOTSTRAP_PROPERTY = "moa.test.bootstrap";

  private static LocalBroker started;

  private TestBroker() {}

  /** {@code host:port} of the shared broker, started here when none is given. */
  public static synchronized String bootstrap() {
    String given = System.getProperty(BOOTSTRAP_PROPERTY, "").trim();
    if (!given.isEmpty()) {
      return given;
    }
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
