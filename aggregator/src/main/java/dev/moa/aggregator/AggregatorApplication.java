package dev.moa.aggregator;

import dev.moa.runtime.spring.MoaCacheConfiguration;
import dev.moa.runtime.spring.MoaEventLoopsConfiguration;
import dev.moa.runtime.spring.MoaKafkaConfiguration;
import dev.moa.runtime.spring.MoaRateLimitConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * AGGREGATOR: consumes {@code moa.aggregate-tasks}, makes the final synthesis call of each request
 * (streaming its answer to {@code moa.answer-chunks}) and publishes exactly one FinalAnswer per
 * task to {@code moa.answers}, in a Kafka transaction with the consumed offsets.
 */
@SpringBootApplication
@Import({
  MoaKafkaConfiguration.class,
  MoaEventLoopsConfiguration.class,
  MoaCacheConfiguration.class,
  MoaRateLimitConfiguration.class
})
@EnableConfigurationProperties(AggregatorProperties.class)
public class AggregatorApplication {

  public static void main(String[] args) {
    SpringApplication.run(AggregatorApplication.class, args);
  }
}
