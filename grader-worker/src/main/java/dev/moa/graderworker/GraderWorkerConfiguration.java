package dev.moa.graderworker;

import dev.moa.graders.BwrapSandbox;
import dev.moa.graders.Graders;
import dev.moa.graders.JudgeModel;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.serde.Serdes;
import dev.moa.provider.CircuitBreakerSettings;
import dev.moa.provider.ProviderClient;
import dev.moa.provider.ProviderClientOptions;
import dev.moa.provider.RateGate;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.model.ModelCallMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The grader worker's beans: the graders library (sandbox pool, optional judge model), grading
 * executors, grade and dead-letter producers.
 */
@Configuration(proxyBeanMethods = false)
public class GraderWorkerConfiguration {

  private static final Logger log = LoggerFactory.getLogger(GraderWorkerConfiguration.class);

  static final String GROUP_ID = "moa-graders";

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** Warm bubblewrap sandboxes for the code graders (closed, so killed, on shutdown). */
  @Bean(destroyMethod = "close")
  BwrapSandbox sandbox(GraderWorkerProperties props) {
    return new BwrapSandbox(
        Path.of("/usr/bin/bwrap"),
        Path.of("/usr/bin/python3"),
        props.sandbox().wallTimeout().toMillis(),
        props.sandboxPoolSize(),
        props.sandbox().maxUses());
  }

  /** GenAI metrics of the judge's calls (agent and layer tagged {@code judge}). */
  @Bean
  ModelCallMetrics modelCallMetrics(MeterRegistry registry) {
    return new ModelCallMetrics(registry);
  }

  /**
   * The judge model, when {@code moa.grader-worker.judge.base-url} and {@code .model} are set; its
   * calls spend the rate budget shared with every other process calling that model.
   */
  @Bean
  JudgeHolder judgeHolder(
      GraderWorkerProperties props,
      ModelCallMetrics metrics,
      RateGate rateGate,
      CircuitBreakerSettings providerCircuitBreaker) {
    GraderWorkerProperties.Judge judge = props.judge();
    if (!judge.configured()) {
      log.info("no judge model configured: judge gradings will be errors");
      return new JudgeHolder(null, null);
    }
    ProviderClient client =
        new ProviderClient(
            ProviderClientOptions.builder()
                .callTimeout(judge.timeout())
                .retryListener(metrics.retryListener())
                .rateGate(rateGate)
                .circuitBreaker(providerCircuitBreaker)
                .build());
    try {
      ProviderJudgeModel model = ProviderJudgeModel.of(judge, client, System::getenv, metrics);
      log.info("judge model {} at {}", judge.model(), model.endpoint());
      return new JudgeHolder(model, client);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** The judge model (null when none is configured) and the client it owns. */
  record JudgeHolder(JudgeModel model, ProviderClient client) implements AutoCloseable {
    @Override
    public void close() {
      if (client != null) {
        client.close();
      }
    }
  }

  @Bean
  Graders graders(BwrapSandbox sandbox, JudgeHolder judgeHolder) {
    return new Graders(sandbox, judgeHolder.model());
  }

  @Bean
  GradeFactory gradeFactory(Graders graders, Clock clock) {
    return new GradeFactory(graders, clock);
  }

  @Bean(destroyMethod = "shutdownNow")
  ExecutorService gradingExecutor(GraderWorkerProperties props) {
    return fixedDaemonPool("moa-grading-", props.gradingThreads());
  }

  @Bean(destroyMethod = "shutdownNow")
  ExecutorService judgeExecutor(GraderWorkerProperties props) {
    return fixedDaemonPool("moa-judge-", props.judge().concurrency());
  }

  @Bean
  GradingService gradingService(
      GradeFactory gradeFactory,
      ExecutorService gradingExecutor,
      ExecutorService judgeExecutor,
      MeterRegistry registry) {
    return new GradingService(gradeFactory, gradingExecutor, judgeExecutor, registry);
  }

  /** Threads that live as long as the worker (the queue is bounded by the consumers' in-flight). */
  static ExecutorService fixedDaemonPool(String prefix, int threads) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        threads,
        threads,
        0,
        TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, prefix + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** Idempotent, acks=all producer of grades (see {@link KafkaSettings#producer}). */
  @Bean
  ProducerFactory<String, Grade> gradeProducerFactory(KafkaSettings settings) {
    return new DefaultKafkaProducerFactory<>(
        settings.producer("moa-grader-worker"), new StringSerializer(), Serdes.GRADE.serializer());
  }

  @Bean
  KafkaTemplate<String, Grade> gradeTemplate(ProducerFactory<String, Grade> gradeProducerFactory) {
    return new KafkaTemplate<>(gradeProducerFactory);
  }

  /** Sends undecodable answers, as they came, to {@code moa.answers-dlt}. */
  @Bean(destroyMethod = "close")
  Producer<byte[], byte[]> answerDeadLetterProducer(KafkaSettings settings) {
    return new KafkaProducer<>(settings.producer("moa-grader-worker-dlt"));
  }
}
