package dev.moa.runtime.spring;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Each service's HTTP server runs on event loops of its own, closed with its application context.
 *
 * <p>Spring Boot's default {@link ReactorResourceFactory} uses Reactor Netty's JVM-wide loops and
 * disposes them when <em>any</em> context closes (or fails to start): every other service in the
 * same JVM (tests, an in-process stack) then stops answering without an error. See decision 042.
 */
@Configuration(proxyBeanMethods = false)
public class MoaEventLoopsConfiguration {

  @Bean
  ReactorResourceFactory reactorResourceFactory() {
    ReactorResourceFactory factory = new ReactorResourceFactory();
    factory.setUseGlobalResources(false);
    return factory;
  }
}
