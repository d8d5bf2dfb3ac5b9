package dev.moa.runtime.testing;

import dev.moa.runtime.broker.LocalBroker;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One real KRaft broker per test JVM, started on first use and stopped when the JVM exits.
 * Integration tests share it; each test uses its own request ids and consumer groups.
 */
public final class SharedBroker {

  private static LocalBroker broker;

  private SharedBroker() {}

  public static synchronized LocalBroker get() {
    if (broker == null || !broker.isAlive()) {
      try {
        Path dir = Files.createTempDirectory("moa-it-broker");
        broker = LocalBroker.start(0, dir, Duration.ofSeconds(90));
        LocalBroker started = broker;
        Runtime.getRuntime().addShutdownHook(new Thread(started::close));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return broker;
  }

  /** The shared broker with the pipeline's topics created. */
  public static synchronized KafkaSettings settingsWithTopics() {
    KafkaSettings settings = KafkaSettings.local(get().bootstrap());
    TopicAdmin.ensureTopics(settings, 30_000);
    return settings;
  }
}
