package dev.moa.orchestrator.metrics;

import dev.moa.orchestrator.barrier.BarrierStreams;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.serde.RecordChecks;
import dev.moa.protocol.serde.Serdes;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.spring.MoaKafkaConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.CommonLoggingErrorHandler;

/**
 * Wires {@link OrchestratorMetrics}: the barrier reports completed layers, a consumer of {@code
 * moa.answers} (its own group, from the latest offset, committed answers only) reports every
 * answer, and the run-sample gauges are refreshed from the global runs store every few seconds.
 */
@Configuration(proxyBeanMethods = false)
public class OrchestratorMetricsConfiguration {

  private static final Logger log = LoggerFactory.getLogger(OrchestratorMetricsConfiguration.class);

  /** One group for all orchestrator instances: each answer is counted once. */
  public static final String ANSWERS_GROUP_ID = "moa-orchestrator-answers";

  static final String CONTAINER_FACTORY = "answerMetricsContainerFactory";

  /** How often the run-sample gauges follow the runs store. */
  static final Duration RUN_REFRESH = Duration.ofSeconds(2);

  @Bean
  OrchestratorMetrics orchestratorMetrics(MeterRegistry registry) {
    return new OrchestratorMetrics(registry);
  }

  /**
   * Answers as they come; an undecodable or impossible one is logged and skipped (the graders
   * dead-letter it).
   */
  @Bean(CONTAINER_FACTORY)
  ConcurrentKafkaListenerContainerFactory<String, FinalAnswer> answerMetricsContainerFactory(
      KafkaSettings settings) {
    DefaultKafkaConsumerFactory<String, FinalAnswer> consumers =
        MoaKafkaConfiguration.consumerFactory(
            settings, ANSWERS_GROUP_ID, RecordChecks.checked(Serdes.FINAL_ANSWER), true);
    // A new group measures from now on, not the topic's history.
    consumers.updateConfigs(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));
    ConcurrentKafkaListenerContainerFactory<String, FinalAnswer> factory =
        new ConcurrentKafkaListenerContainerFactory<>();
    factory.setConsumerFactory(consumers);
    factory.setCommonErrorHandler(new CommonLoggingErrorHandler());
    return factory;
  }

  @Bean
  AnswerMetricsListener answerMetricsListener(OrchestratorMetrics metrics) {
    return new AnswerMetricsListener(metrics);
  }

  @Bean
  RunSampleRefresher runSampleRefresher(OrchestratorMetrics metrics, BarrierStreams barrier) {
    return new RunSampleRefresher(metrics, barrier);
  }

  /** Feeds every answer to the metrics. */
  public static class AnswerMetricsListener {
    private final OrchestratorMetrics metrics;

    AnswerMetricsListener(OrchestratorMetrics metrics) {
      this.metrics = metrics;
    }

    @KafkaListener(
        id = ANSWERS_GROUP_ID,
        topics = "#{T(dev.moa.protocol.topic.Topics).ANSWERS.name()}",
        containerFactory = CONTAINER_FACTORY)
    public void onAnswer(FinalAnswer answer) {
      if (answer != null) {
        metrics.onAnswer(answer);
      }
    }
  }

  /** Refreshes the run-sample gauges from the barrier's global runs store. */
  static final class RunSampleRefresher implements SmartLifecycle {
    private final OrchestratorMetrics metrics;
    private final BarrierStreams barrier;
    private ScheduledExecutorService scheduler;

    RunSampleRefresher(OrchestratorMetrics metrics, BarrierStreams barrier) {
      this.metrics = metrics;
      this.barrier = barrier;
    }

    @Override
    public synchronized void start() {
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "moa-run-samples");
                t.setDaemon(true);
                return t;
              });
      scheduler.scheduleWithFixedDelay(
          this::refresh, 0, RUN_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    void refresh() {
      try {
        metrics.updateRuns(barrier.runs(), System.currentTimeMillis());
      } catch (RuntimeException e) {
        // The store is briefly unavailable while Streams rebalances; the next round catches up.
        log.debug("run samples not refreshed: {}", e.toString());
      }
    }

    @Override
    public synchronized void stop() {
      if (scheduler != null) {
        scheduler.shutdownNow();
        scheduler = null;
      }
    }

    @Override
    public synchronized boolean isRunning() {
      return scheduler != null;
    }
  }
}
