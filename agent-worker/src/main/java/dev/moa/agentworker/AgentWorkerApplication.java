package dev.moa.agentworker;

import dev.moa.runtime.spring.MoaCacheConfiguration;
import dev.moa.runtime.spring.MoaEventLoopsConfiguration;
import dev.moa.runtime.spring.MoaKafkaConfiguration;
import dev.moa.runtime.spring.MoaRateLimitConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * AGENT-WORKER: consumes {@code moa.agent-tasks}, calls the model each task names and publishes one
 * AgentResult per task to {@code moa.agent-results}. Stateless; scale by running more.
 */
@SpringBootApplication
@Import({
  MoaKafkaConfiguration.class,
  MoaEventLoopsConfiguration.class,
  MoaCacheConfiguration.class,
  MoaRateLimitConfiguration.class
})
@EnableConfigurationProperties(AgentWorkerProperties.class)
public class AgentWorkerApplication {

  public static void main(String[] args) {
    SpringApplication.run(AgentWorkerApplication.class, args);
  }
}
