package dev.moa.orchestrator;

import dev.moa.runtime.spring.MoaEventLoopsConfiguration;
import dev.moa.runtime.spring.MoaKafkaConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/** The orchestrator service: request intake over HTTP and the layer barrier (Kafka Streams). */
@SpringBootApplication
@Import({MoaKafkaConfiguration.class, MoaEventLoopsConfiguration.class})
@EnableConfigurationProperties(OrchestratorProperties.class)
public class OrchestratorApplication {

  public static void main(String[] args) {
    SpringApplication.run(OrchestratorApplication.class, args);
  }
}
