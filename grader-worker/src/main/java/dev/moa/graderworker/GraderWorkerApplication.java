package dev.moa.graderworker;

import dev.moa.runtime.spring.MoaEventLoopsConfiguration;
import dev.moa.runtime.spring.MoaKafkaConfiguration;
import dev.moa.runtime.spring.MoaRateLimitConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * GRADER-WORKER: consumes committed FinalAnswers from {@code moa.answers}, grades each with the
 * graders library (text graders, the challenge and code graders in a bubblewrap sandbox pool, the
 * judge over a model endpoint) and publishes one Grade per answer to {@code moa.grades}.
 */
@SpringBootApplication
@Import({
  MoaKafkaConfiguration.class,
  MoaEventLoopsConfiguration.class,
  MoaRateLimitConfiguration.class
})
@EnableConfigurationProperties(GraderWorkerProperties.class)
public class GraderWorkerApplication {

  public static void main(String[] args) {
    SpringApplication.run(GraderWorkerApplication.class, args);
  }
}
