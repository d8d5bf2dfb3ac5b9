package dev.moa.cli;

import dev.moa.runtime.kafka.KafkaSettings;
import java.util.Map;

/** The Kafka settings of the CLI's own clients. */
public final class KafkaConnect {

  private KafkaConnect() {}

  /**
   * The CLI's Kafka settings for {@code bootstrap}; for a cluster given with {@code --bootstrap}
   * ({@code given}), with the client properties of the file named by MOA_KAFKA_PROPERTIES
   * (SASL_SSL, SSL, ...) when it is set. Local stacks are plaintext on loopback and never use it.
   */
  public static KafkaSettings settings(String bootstrap, boolean given) {
    Map<String, String> client = given ? KafkaClientFile.fromEnvironment(System::getenv) : Map.of();
    try {
      return new KafkaSettings(bootstrap, client, (short) 1);
    } catch (IllegalArgumentException e) {
      throw new UserError(UserError.USAGE, "--bootstrap: " + e.getMessage());
    }
  }
}
