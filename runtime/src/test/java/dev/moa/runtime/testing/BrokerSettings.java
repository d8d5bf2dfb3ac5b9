package dev.moa.runtime.testing;

import dev.moa.localkafka.TestBroker;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * runtime's own ITs on the shared test broker (the `testing` module's kit builds on runtime, so
 * runtime cannot use it).
 */
public final class BrokerSettings {

  private BrokerSettings() {}

  /** Settings for the shared test broker, with the pipeline's topics created. */
  public static KafkaSettings withTopics() {
    KafkaSettings settings = KafkaSettings.local(TestBroker.bootstrap());
    TopicAdmin.ensureTopics(settings, 30_000);
    return settings;
  }

  /** A producer of raw bytes, for poison records. */
  public static KafkaProducer<String, byte[]> rawProducer(KafkaSettings settings, String clientId) {
    return new KafkaProducer<>(
        settings.producer(clientId), new StringSerializer(), new ByteArraySerializer());
  }
}
