package dev.moa.grader;

import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.serde.Serdes;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.spring.MoaKafkaConfiguration;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.DefaultErrorHandler;

/** The grader worker's beans: graders, grade producer, answer listener container. */
@Configuration(proxyBeanMethods = false)
public class GraderWorkerConfiguration {

  static final String CONTAINER_FACTORY = "answerContainerFactory";
  static final String GROUP_ID = "moa-graders";

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** Every {@link Grader} bean, by its type (none yet). */
  @Bean
  GradeFactory gradeFactory(ObjectProvider<Grader> graders, Clock clock) {
    List<Grader> all = graders.orderedStream().toList();
    return new GradeFactory(all, clock);
  }

  @Bean
  ProducerFactory<String, Grade> gradeProducerFactory(KafkaSettings settings) {
    return new DefaultKafkaProducerFactory<>(
        settings.producer("moa-grader-worker"), new StringSerializer(), Serdes.GRADE.serializer());
  }

  @Bean
  KafkaTemplate<String, Grade> gradeTemplate(ProducerFactory<String, Grade> gradeProducerFactory) {
    return new KafkaTemplate<>(gradeProducerFactory);
  }

  /**
   * Record container for {@code moa.answers}: read_committed (only the aggregator's committed
   * answers), undecodable answers to {@code moa.answers-dlt}.
   */
  @Bean(CONTAINER_FACTORY)
  ConcurrentKafkaListenerContainerFactory<String, FinalAnswer> answerContainerFactory(
      KafkaSettings settings,
      GraderWorkerProperties props,
      DefaultErrorHandler deadLetterErrorHandler) {
    ConcurrentKafkaListenerContainerFactory<String, FinalAnswer> factory =
        new ConcurrentKafkaListenerContainerFactory<>();
    factory.setConsumerFactory(
        MoaKafkaConfiguration.consumerFactory(settings, GROUP_ID, Serdes.FINAL_ANSWER, true));
    factory.setConcurrency(props.concurrency());
    factory.setCommonErrorHandler(deadLetterErrorHandler);
    return factory;
  }
}
