package dev.moa.agentworker;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.serde.Serdes;
import dev.moa.provider.CircuitBreakerSettings;
import dev.moa.provider.ProviderClient;
import dev.moa.provider.ProviderClientOptions;
import dev.moa.provider.RateGate;
import dev.moa.runtime.cache.ResponseCache;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.model.ModelCallMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The agent worker's beans: model client, executor (with the response cache of {@link
 * dev.moa.runtime.spring.MoaCacheConfiguration}), result and dead-letter producers.
 */
@Configuration(proxyBeanMethods = false)
public class AgentWorkerConfiguration {

  static final String GROUP_ID = "moa-agent-workers";

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  ModelCallMetrics modelCallMetrics(MeterRegistry registry) {
    return new ModelCallMetrics(registry);
  }

  /**
   * One shared, non-blocking client for every call of this worker, spending the rate budget it
   * shares with the group's other workers ({@link
   * dev.moa.runtime.spring.MoaRateLimitConfiguration}).
   */
  @Bean(destroyMethod = "close")
  ProviderClient providerClient(
      ModelCallMetrics metrics,
      AgentWorkerProperties props,
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
  AgentTaskExecutor agentTaskExecutor(
      ProviderClient providerClient,
      ModelCallMetrics metrics,
      Clock clock,
      ResponseCache responseCache) {
    return new AgentTaskExecutor(
        providerClient::chat, metrics, clock, System::getenv, responseCache);
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

  /** Sends undecodable tasks, as they came, to {@code moa.agent-tasks-dlt}. */
  @Bean(destroyMethod = "close")
  Producer<byte[], byte[]> agentTaskDeadLetterProducer(KafkaSettings settings) {
    return new KafkaProducer<>(settings.producer("moa-agent-worker-dlt"));
  }
}
