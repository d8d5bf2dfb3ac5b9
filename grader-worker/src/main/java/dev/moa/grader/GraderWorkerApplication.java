package dev.moa.grader;

import dev.moa.runtime.spring.MoaKafkaConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * GRADER-WORKER: consumes committed FinalAnswers from {@code moa.answers} and publishes one Grade
 * per answer to {@code moa.grades}. No grader is implemented yet: every grade is NOT_GRADED.
 */
@SpringBootApplication
@Import(MoaKafkaConfiguration.class)
@EnableConfigurationProperties(GraderWorkerProperties.class)
public class GraderWorkerApplication {

  public static void main(String[] args) {
    SpringApplication.run(GraderWorkerApplication.class, args);
  }
}
