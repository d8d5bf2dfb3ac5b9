package dev.moa.runtime.spring;

import dev.moa.runtime.cache.KafkaResponseCache;
import dev.moa.runtime.cache.ResponseCache;
import dev.moa.runtime.cache.ResponseCacheOptions;
import dev.moa.runtime.kafka.KafkaSettings;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The response cache of services that execute model calls (see docs/decisions/012): a {@link
 * KafkaResponseCache} on {@code moa.response-cache}, or {@link ResponseCache#disabled()} when
 * {@code moa.cache.enabled=false}. Closed with the context (after the executors that use it).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MoaCacheProperties.class)
public class MoaCacheConfiguration {

  @Bean
  public ResponseCache responseCache(
      KafkaSettings settings,
      MoaCacheProperties props,
      @Value("${spring.application.name:moa}") String application) {
    if (!props.enabled()) {
      return ResponseCache.disabled();
    }
    return new KafkaResponseCache(
        settings,
        new ResponseCacheOptions(
            props.maxEntries(), props.initialLoadTimeout(), "moa-" + application + "-cache"));
  }
}
