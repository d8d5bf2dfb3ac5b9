package dev.moa.runtime.spring;

import dev.moa.provider.RateGate;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.model.ModelCallMetrics;
import dev.moa.runtime.ratelimit.GroupMembers;
import dev.moa.runtime.ratelimit.RateBudgets;
import java.util.function.IntSupplier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The rate budget ({@link RateBudgets}) of services that make model calls, shared with the other
 * members of the consumer group {@code moa.ratelimit.group}; {@link RateGate#none()} when {@code
 * moa.ratelimit.enabled=false}. Needs a {@link ModelCallMetrics} bean (waits are recorded in {@code
 * moa.ratelimit.wait}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MoaRateLimitProperties.class)
public class MoaRateLimitConfiguration {

  /** Counts the group's workers; absent when the count is configured or budgets are off. */
  @Bean(destroyMethod = "close")
  public RateBudgetMembers rateBudgetMembers(
      MoaRateLimitProperties props,
      KafkaSettings settings,
      @Value("${moa.agent-worker.concurrency:2}") int consumersPerWorker) {
    if (!props.enabled() || props.members() != null) {
      return new RateBudgetMembers(
          GroupMembers.fixed(props.members() == null ? 1 : props.members()), null);
    }
    GroupMembers m =
        new GroupMembers(settings, props.group(), consumersPerWorker, props.membersRefresh());
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

  /** The member count, and what to close with it. */
  public record RateBudgetMembers(IntSupplier count, AutoCloseable resource)
      implements IntSupplier, AutoCloseable {
    @Override
    public int getAsInt() {
      return count.getAsInt();
    }

    @Override
    public void close() throws Exception {
      if (resource != null) {
        resource.close();
      }
    }
  }
}
