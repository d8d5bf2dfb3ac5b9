package dev.moa.agentworker;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.serde.Serdes;
import dev.moa.provider.ProviderClient;
import dev.moa.provider.ProviderClientOptions;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.model.ModelCallMetrics;
import dev.moa.runtime.spring.MoaKafkaConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;

/** The agent worker's beans: model client, executor, result producer, task listener container. */
@Configuration(proxyBeanMethods = false)
public class AgentWorkerConfiguration {

  static final String CONTAINER_FACTORY = "agentTaskContainerFactory";
  static final String GROUP_ID = "moa-agent-workers";

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  ModelCallMetrics modelCallMetrics(MeterRegistry registry) {
    return new ModelCallMetrics(registry);
  }

  /** One shared, non-blocking client for every call of this worker. */
  @Bean(destroyMethod = "close")
  ProviderClient providerClient(ModelCallMetrics metrics, AgentWorkerProperties props) {
    return new ProviderClient(
        ProviderClientOptions.builder()
            .callTimeout(props.callTimeout())
            .retryListener(metrics.retryListener())
            .build());
  }

  @Bean
  AgentTaskExecutor agentTaskExecutor(
      ProviderClient providerClient, ModelCallMetrics metrics, Clock clock) {
    return new AgentTaskExecutor(providerClient::chat, metrics, clock, System::getenv);
  }

  /** Idempotent, acks=all producer of results (see {@link KafkaSettings#producer}). */
  @Bean
  ProducerFactory<String, AgentResult> agentResultProducerFactory(KafkaSettings settings) {
    return new DefaultKafkaProducerFactory<>(
        settings.producer("moa-agent-worker"),
        new StringSerializer(),
        Serdes.AGENT_RESULT.serializer());
  }

  @Bean
  KafkaTemplate<String, AgentResult> agentResultTemplate(
      ProducerFactory<String, AgentResult> agentResultProducerFactory) {
    return new KafkaTemplate<>(agentResultProducerFactory);
  }

  /**
   * Record listener container for {@code moa.agent-tasks}: MANUAL acks with out-of-order commits
   * (asyncAcks), {@code max.poll.records} = max-in-flight, undecodable records to {@code
   * moa.agent-tasks-dlt}, and a shutdown timeout of drain-timeout.
   */
  @Bean(CONTAINER_FACTORY)
  ConcurrentKafkaListenerContainerFactory<String, AgentTask> agentTaskContainerFactory(
      KafkaSettings settings,
      AgentWorkerProperties props,
      DefaultErrorHandler deadLetterErrorHandler) {
    DefaultKafkaConsumerFactory<String, AgentTask> consumers =
        MoaKafkaConfiguration.consumerFactory(settings, GROUP_ID, Serdes.AGENT_TASK, false);
    consumers.updateConfigs(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, props.maxInFlight()));

    // With out-of-order commits the container must not seek after an error: a seek would leave
    // the rest of the poll unacknowledged and the paused consumer would wait for it forever.
    // Recovering in place (dead letter) and acknowledging the record keeps the partition moving.
    deadLetterErrorHandler.setSeekAfterError(false);

    ConcurrentKafkaListenerContainerFactory<String, AgentTask> factory =
        new ConcurrentKafkaListenerContainerFactory<>();
    factory.setConsumerFactory(consumers);
    factory.setConcurrency(props.concurrency());
    factory.setCommonErrorHandler(deadLetterErrorHandler);
    ContainerProperties container = factory.getContainerProperties();
    container.setAckMode(ContainerProperties.AckMode.MANUAL);
    container.setAsyncAcks(true);
    // The container pauses until a poll's calls are acknowledged; while paused it polls with this
    // timeout, which is therefore the delay before the next layer's tasks are picked up.
    container.setPollTimeoutWhilePaused(Duration.ofMillis(5));
    container.setShutdownTimeout(Math.max(1, props.drainTimeout().toMillis()));
    return factory;
  }
}
