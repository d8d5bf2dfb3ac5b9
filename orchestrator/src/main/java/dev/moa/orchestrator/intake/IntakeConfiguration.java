package dev.moa.orchestrator.intake;

import dev.moa.orchestrator.OrchestratorProperties;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one {@link RequestIntake} of the HTTP API and the OpenAI-compatible endpoint. */
@Configuration(proxyBeanMethods = false)
class IntakeConfiguration {

  /**
   * Requests without a config get {@code moa.orchestrator.default-config} (else the shipped one).
   */
  @Bean
  RequestIntake requestIntake(OrchestratorProperties props) throws ConfigException {
    MoaConfig defaults =
        props.defaultConfig() == null
            ? ConfigLoader.defaultConfig()
            : ConfigLoader.load(Path.of(props.defaultConfig()));
    return new RequestIntake(
        System::getenv,
        props.simulatorBaseUrl(),
        Clock.systemUTC(),
        defaults,
        props.requestLimits());
  }
}
