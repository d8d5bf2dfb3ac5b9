package dev.moa.aggregator;

import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.serde.RecordChecks;
import dev.moa.protocol.serde.Serdes;
import dev.moa.provider.CircuitBreakerSettings;
import dev.moa.provider.ProviderClient;
import dev.moa.provider.ProviderClientOptions;
import dev.moa.provider.RateGate;
import dev.moa.runtime.cache.ResponseCache;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.model.ModelCallMetrics;
import dev.moa.runtime.model.ModelTaskExecutor;
import dev.moa.runtime.spring.MoaKafkaConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultAfterRollbackProcessor;
import org.springframework.kafka.transaction.KafkaTransactionManager;
import org.springframework.util.backoff.ExponentialBackOff;

/** The aggregator's beans: model client, transactional answers, live chunks, batch container. */
@Configuration(proxyBeanMethods = false)
public class AggregatorConfiguration {

  static final String CONTAINER_FACTORY = "aggregateTaskContainerFactory";
  static final String GROUP_ID = "moa-aggregators";

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  ModelCallMetrics modelCallMetrics(MeterRegistry registry) {
    return new ModelCallMetrics(registry);
  }

  /**
   * The aggregator's calls spend the rate budget of their provider and model, shared with every
   * other process calling it ({@link dev.moa.runtime.spring.MoaRateLimitConfiguration}).
   */
  @Bean(destroyMethod = "close")
  ProviderClient providerClient(
      ModelCallMetrics metrics,
      AggregatorProperties props,
      RateGate rateGate,
      CircuitBreakerSettings providerCircuitBreaker) {
    return new ProviderClient(
        ProviderClientOptions.builder()
            .callTimeout(props.callTimeout())
            .idleTimeout(props.idleTimeout())
            .retryListener(metrics.retryListener())
            .rateGate(rateGate)
            .circuitBreaker(providerCircuitBreaker)
            .build());
  }

  @Bean
  ModelTaskExecutor aggregatorExecutor(
      ProviderClient providerClient,
      ModelCallMetrics metrics,
      Clock clock,
      ResponseCache responseCache) {
    return new ModelTaskExecutor(
        providerClient::chat, metrics, clock, System::getenv, responseCache);
  }

  /**
   * Transactional producer of answers (and dead letters): values are pre-encoded bytes, so one
   * transaction can carry both. Transactional ids are {@code moa-aggregator-<instance id>-<n>}.
   */
  @Bean
  ProducerFactory<String, byte[]> answerProducerFactory(
      KafkaSettings settings, AggregatorProperties props) {
    DefaultKafkaProducerFactory<String, byte[]> factory =
        new DefaultKafkaProducerFactory<>(
            settings.producer("moa-aggregator"), new StringSerializer(), new ByteArraySerializer());
    factory.setTransactionIdPrefix(props.transactionIdPrefix());
    return factory;
  }

  @Bean
  KafkaTransactionManager<String, byte[]> answerTransactionManager(
      ProducerFactory<String, byte[]> answerProducerFactory) {
    return new KafkaTransactionManager<>(answerProducerFactory);
  }

  @Bean
  KafkaTemplate<String, byte[]> answerTemplate(
      ProducerFactory<String, byte[]> answerProducerFactory) {
    return new KafkaTemplate<>(answerProducerFactory);
  }

  /** Non-transactional producer of live answer chunks; never blocks an I/O thread for long. */
  @Bean
  ProducerFactory<String, AnswerChunk> chunkProducerFactory(KafkaSettings settings) {
    Map<String, Object> props = settings.producer("moa-aggregator-chunks");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
    return new DefaultKafkaProducerFactory<>(
        props, new StringSerializer(), Serdes.ANSWER_CHUNK.serializer());
  }

  @Bean
  KafkaTemplate<String, AnswerChunk> chunkTemplate(
      ProducerFactory<String, AnswerChunk> chunkProducerFactory) {
    return new KafkaTemplate<>(chunkProducerFactory);
  }

  /**
   * Batch container for {@code moa.aggregate-tasks}: read_committed, up to max-batch records per
   * poll, every batch in a Kafka transaction that also commits its offsets. A failed batch is
   * rolled back and redelivered with a growing back-off (up to 30 s), never skipped.
   */
  @Bean(CONTAINER_FACTORY)
  ConcurrentKafkaListenerContainerFactory<String, AggregateTask> aggregateTaskContainerFactory(
      KafkaSettings settings,
      AggregatorProperties props,
      KafkaTransactionManager<String, byte[]> answerTransactionManager) {
    DefaultKafkaConsumerFactory<String, AggregateTask> consumers =
        MoaKafkaConfiguration.consumerFactory(
            settings, GROUP_ID, RecordChecks.checked(Serdes.AGGREGATE_TASK), true);
    long pollInterval =
        props.callTimeout().plus(AggregateTaskListener.WAIT_MARGIN).toMillis() + 60_000;
    consumers.updateConfigs(
        Map.of(
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            props.maxBatch(),
            ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
            (int) Math.min(Integer.MAX_VALUE, pollInterval)));

    ConcurrentKafkaListenerContainerFactory<String, AggregateTask> factory =
        new ConcurrentKafkaListenerContainerFactory<>();
    factory.setConsumerFactory(consumers);
    factory.setBatchListener(true);
    factory.setConcurrency(props.concurrency());
    ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
    backOff.setMaxInterval(30_000);
    factory.setAfterRollbackProcessor(new DefaultAfterRollbackProcessor<>(backOff));
    ContainerProperties container = factory.getContainerProperties();
    container.setKafkaAwareTransactionManager(answerTransactionManager);
    container.setShutdownTimeout(Math.max(1, props.drainTimeout().toMillis()));
    return factory;
  }
}
