package dev.moa.testing;

import dev.moa.localkafka.TestBroker;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;

/** The integration tests' real broker ({@link TestBroker}) as the pipeline's settings. */
public final class SharedBroker {

  private SharedBroker() {}

  /** {@code host:port} of the shared broker. */
  public static String bootstrap() {
    return TestBroker.bootstrap();
  }

  /** The shared broker with the pipeline's topics created. */
  public static KafkaSettings settingsWithTopics() {
    KafkaSettings settings = KafkaSettings.local(bootstrap());
    TopicAdmin.ensureTopics(settings, 30_000);
    return settings;
  }
}
