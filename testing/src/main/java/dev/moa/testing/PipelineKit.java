package dev.moa.testing;

import dev.moa.protocol.topic.TopicSpec;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What a service IT needs, as one JUnit extension: the shared broker with the pipeline's topics,
 * simulators, services, typed producers and topic tails, each closed after the class in reverse
 * order of creation. Use it as {@code @RegisterExtension static final PipelineKit kit = new
 * PipelineKit();} and create things in {@code @BeforeAll} or in tests. A test may close what it
 * created sooner (a tail in try-with-resources, a service it stops on purpose): the kit's own
 * things (Kafka clients, simulators, Spring contexts) close idempotently.
 */
public final class PipelineKit implements BeforeAllCallback, AfterAllCallback {

  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  private KafkaSettings settings;

  @Override
  public void beforeAll(ExtensionContext context) {
    settings();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Exception first = null;
    while (!toClose.isEmpty()) {
      try {
        toClose.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** The shared broker's settings, its topics created. */
  public synchronized KafkaSettings settings() {
    if (settings == null) {
      settings = SharedBroker.settingsWithTopics();
    }
    return settings;
  }

  /** {@code resource}, closed after the class (before what was created earlier). */
  public synchronized <T extends AutoCloseable> T closeAfterAll(T resource) {
    toClose.push(resource);
    return resource;
  }

  /** A simulator with these options. */
  public Simulator simulator(SimulatorOptions options) {
    return closeAfterAll(Simulator.start(options));
  }

  /** The instant simulator (no latency). */
  public Simulator instantSimulator() {
    return simulator(
        SimulatorOptions.builder().defaultProfile(Profile.named("instant")).timeScale(0).build());
  }

  /** A service on a free HTTP port against the shared broker; extra {@code --k=v} args. */
  public ConfigurableApplicationContext service(Class<?> application, String... extraArgs) {
    return closeAfterAll(TestServices.start(application, settings(), extraArgs));
  }

  /** A producer for one topic, with the topic's own serdes. */
  public <V> KafkaProducer<String, V> producer(TopicSpec<String, V> topic, String clientId) {
    return closeAfterAll(TestServices.producer(settings(), topic, clientId));
  }

  /** A producer of raw bytes, for poison records. */
  public KafkaProducer<String, byte[]> rawProducer(String clientId) {
    return closeAfterAll(TestServices.rawProducer(settings(), clientId));
  }

  /** Every record of {@code topic} from its current end on, read committed. */
  public <V> TopicTail<V> tail(TopicSpec<String, V> topic) {
    return tail(topic, true);
  }

  /**
   * Every record of {@code topic} from its current end on; with {@code readCommitted} false also
   * the records of open and aborted transactions.
   */
  public <V> TopicTail<V> tail(TopicSpec<String, V> topic, boolean readCommitted) {
    return tail(topic.name(), topic.valueSerde().deserializer(), readCommitted);
  }

  /** Every record of the topic named {@code topic} (a dead-letter topic, say) from its end on. */
  public <V> TopicTail<V> tail(String topic, Deserializer<V> values, boolean readCommitted) {
    return closeAfterAll(new TopicTail<>(settings(), topic, values, readCommitted));
  }
}
