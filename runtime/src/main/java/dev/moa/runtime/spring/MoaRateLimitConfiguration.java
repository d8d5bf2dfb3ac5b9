package dev.moa.runtime.spring;

import dev.moa.provider.CircuitBreakerSettings;
import dev.moa.provider.RateGate;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.model.ModelCallMetrics;
import dev.moa.runtime.ratelimit.ModelMembers;
import dev.moa.runtime.ratelimit.RateBudgets;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The rate budget ({@link RateBudgets}) of services that make model calls (agent workers, the
 * aggregator, grader workers' judge), shared per provider and model with every other process
 * calling it ({@link ModelMembers}); {@link RateGate#none()} when {@code
 * moa.ratelimit.enabled=false}. Needs a {@link ModelCallMetrics} bean (waits are recorded in {@code
 * moa.ratelimit.wait}). Also the providers' circuit-breaker settings ({@code
 * moa.circuit-breaker.*}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({MoaRateLimitProperties.class, MoaCircuitBreakerProperties.class})
public class MoaRateLimitConfiguration {

  /** Counts the processes sharing each model's limits; fixed when configured or budgets are off. */
  @Bean(destroyMethod = "close")
  public RateBudgetMembers rateBudgetMembers(MoaRateLimitProperties props, KafkaSettings settings) {
    if (!props.enabled() || props.members() != null) {
      return new RateBudgetMembers(
          RateBudgets.Members.fixed(props.members() == null ? 1 : props.members()), null);
    }
    ModelMembers m =
        new ModelMembers(settings, props.groupPrefix(), props.membersRefresh(), props.idleLeave());
    return new RateBudgetMembers(m, m);
  }

  /** The gate to hand to {@code ProviderClientOptions.rateGate}; closed with the context. */
  @Bean
  public RateGate rateGate(
      MoaRateLimitProperties props, RateBudgetMembers members, ModelCallMetrics metrics) {
    if (!props.enabled()) {
      return RateGate.none();
    }
    return new RateBudgets(
        props.limits().stream()
            .map(
                l ->
                    new RateBudgets.Limit(
                        l.provider(),
                        l.model(),
                        l.requestsPerMinute() == null ? 0 : l.requestsPerMinute(),
                        l.tokensPerMinute() == null ? 0 : l.tokensPerMinute()))
            .toList(),
        props.window(),
        members,
        metrics::recordRateLimitWait);
  }

  /** Hand to {@code ProviderClientOptions.circuitBreaker}. */
  @Bean
  public CircuitBreakerSettings providerCircuitBreaker(MoaCircuitBreakerProperties props) {
    return props.settings();
  }

  /** The member count, and what to close with it. */
  public record RateBudgetMembers(RateBudgets.Members members, AutoCloseable resource)
      implements RateBudgets.Members, AutoCloseable {
    @Override
    public int count(String provider, String model) {
      return members.count(provider, model);
    }

    @Override
    public void close() throws Exception {
      if (resource != null) {
        resource.close();
      }
    }
  }
}
