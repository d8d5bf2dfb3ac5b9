package dev.moa.runtime.spring;

import dev.moa.protocol.serde.AvroSerde;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import dev.moa.runtime.metrics.KafkaClientMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/** Kafka plumbing every service shares: settings, topic creation, serdes, dead letters. */
@Configuration(proxyBeanMethods = false)
@EnableKafka
@EnableConfigurationProperties(MoaKafkaProperties.class)
public class MoaKafkaConfiguration {

  static {
    dev.moa.protocol.serde.AvroTrust.install();
  }

  @Bean
  public KafkaSettings kafkaSettings(MoaKafkaProperties props) {
    KafkaSettings settings =
        new KafkaSettings(props.bootstrap(), props.properties(), props.replicationFactor());
    if (props.createTopics()) {
      TopicAdmin.ensureTopics(settings, 30_000);
    }
    return settings;
  }

  /**
   * Kafka client metrics on every Spring Kafka factory of the service (consumer lag, send rates,
   * ...): Spring Kafka's Micrometer listeners on producer and consumer factories, those of
   * templates and listener container factories included; plain {@link Producer} beans are bound
   * directly with the same tag keys (see {@link KafkaClientMeters}).
   */
  @Bean
  public static BeanPostProcessor kafkaClientMetricsPostProcessor(
      ObjectProvider<MeterRegistry> registry) {
    return new KafkaClientMetricsPostProcessor(registry);
  }

  static final class KafkaClientMetricsPostProcessor implements DestructionAwareBeanPostProcessor {
    private final ObjectProvider<MeterRegistry> registry;
    private final Map<String, AutoCloseable> bindings = new ConcurrentHashMap<>();

    KafkaClientMetricsPostProcessor(ObjectProvider<MeterRegistry> registry) {
      this.registry = registry;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
      // Only Kafka beans look the registry up: asking for it while it is being created fails.
      if (!(bean instanceof KafkaTemplate<?, ?>
          || bean instanceof ProducerFactory<?, ?>
          || bean instanceof ConsumerFactory<?, ?>
          || bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?>
          || bean instanceof Producer<?, ?>)) {
        return bean;
      }
      MeterRegistry meters = registry.getIfAvailable();
      if (meters == null) {
        return bean;
      }
      if (bean instanceof KafkaTemplate<?, ?> template) {
        instrument(template.getProducerFactory(), meters);
      } else if (bean instanceof ProducerFactory<?, ?> factory) {
        instrument(factory, meters);
      } else if (bean instanceof ConsumerFactory<?, ?> factory) {
        instrument(factory, meters);
      } else if (bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> containers
          && containers.getConsumerFactory() != null) {
        instrument(containers.getConsumerFactory(), meters);
      } else if (bean instanceof Producer<?, ?> producer) {
        bindings.put(beanName, KafkaClientMeters.bind(meters, producer, beanName));
      }
      return bean;
    }

    @Override
    public void postProcessBeforeDestruction(Object bean, String beanName) {
      KafkaClientMeters.close(bindings.remove(beanName));
    }

    @Override
    public boolean requiresDestruction(Object bean) {
      return bean instanceof Producer<?, ?>;
    }

    private static void instrument(ProducerFactory<?, ?> factory, MeterRegistry meters) {
      if (factory.getListeners().stream().noneMatch(MicrometerProducerListener.class::isInstance)) {
        factory.addListener(cast(new MicrometerProducerListener<>(meters)));
      }
    }

    private static void instrument(ConsumerFactory<?, ?> factory, MeterRegistry meters) {
      if (factory.getListeners().stream().noneMatch(MicrometerConsumerListener.class::isInstance)) {
        factory.addListener(cast(new MicrometerConsumerListener<>(meters)));
      }
    }
  }

  /**
   * A consumer factory whose value decoder turns undecodable bytes into a dead letter; pass a
   * checking serde ({@code RecordChecks.checked}) to refuse impossible values the same way.
   */
  public static <V extends org.apache.avro.specific.SpecificRecord>
      DefaultKafkaConsumerFactory<String, V> consumerFactory(
          KafkaSettings settings, String groupId, AvroSerde<V> serde, boolean readCommitted) {
    Map<String, Object> props = settings.consumer(groupId, readCommitted);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    DefaultKafkaConsumerFactory<String, V> factory =
        new DefaultKafkaConsumerFactory<>(
            props, new StringDeserializer(), new ErrorHandlingDeserializer<>(serde.deserializer()));
    // Names its consumers' Kafka meters (tag spring.id) after the group, not
    // "not.managed.by.Spring".
    factory.setBeanName(groupId);
    return factory;
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }
}
