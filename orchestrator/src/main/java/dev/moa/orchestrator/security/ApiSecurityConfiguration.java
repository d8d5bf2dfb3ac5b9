package dev.moa.orchestrator.security;

import dev.moa.orchestrator.OrchestratorProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * The HTTP API's guard: the bearer token rule for the bound address (the service refuses to start
 * when a token is needed and missing) and the body size limit, also for bodies without a
 * Content-Length (the JSON decoder stops buffering at the same limit).
 */
@Configuration(proxyBeanMethods = false)
public class ApiSecurityConfiguration implements WebFluxConfigurer {

  private static final Logger log = LoggerFactory.getLogger(ApiSecurityConfiguration.class);

  private final OrchestratorProperties props;

  public ApiSecurityConfiguration(OrchestratorProperties props) {
    this.props = props;
  }

  @Bean
  ApiAccess apiAccess(Environment environment) {
    ApiAccess access =
        ApiAccess.forAddress(
            environment.getProperty("server.address"), props.apiTokenEnv(), System::getenv);
    log.info(
        "HTTP API: {}",
        access.tokenRequired()
            ? "bearer token required (from " + access.tokenEnv() + ")"
            : "open on loopback only");
    return access;
  }

  @Bean
  ApiTokenFilter apiTokenFilter(ApiAccess access) {
    return new ApiTokenFilter(access, props.maxBodyBytes());
  }

  @Override
  public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
    configurer.defaultCodecs().maxInMemorySize(Math.toIntExact(props.maxBodyBytes()));
  }
}
