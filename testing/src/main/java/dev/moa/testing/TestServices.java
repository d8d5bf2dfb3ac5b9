package dev.moa.testing;

import dev.moa.protocol.topic.TopicSpec;
import dev.moa.runtime.kafka.KafkaSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts a service and the producers integration tests feed it with, the same way everywhere. */
public final class TestServices {

  private TestServices() {}

  /** The service on a free HTTP port against {@code settings}' broker; extra {@code --k=v} args. */
  public static ConfigurableApplicationContext start(
      Class<?> application, KafkaSettings settings, String... extraArgs) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--spring.main.banner-mode=off");
    args.add("--moa.kafka.bootstrap=" + settings.bootstrap());
    args.addAll(List.of(extraArgs));
    return new SpringApplicationBuilder(application).run(args.toArray(String[]::new));
  }

  /** A producer for one topic, with the topic's own serdes. */
  public static <V> KafkaProducer<String, V> producer(
      KafkaSettings settings, TopicSpec<String, V> topic, String clientId) {
    return settings.producerFor(topic, clientId);
  }

  /** A producer of raw bytes, for poison records. */
  public static KafkaProducer<String, byte[]> rawProducer(KafkaSettings settings, String clientId) {
    return new KafkaProducer<>(
        settings.producer(clientId), new StringSerializer(), new ByteArraySerializer());
  }
}
