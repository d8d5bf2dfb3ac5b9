package dev.moa.runtime.spring;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.ratelimit.*}: the rate budget of model calls (see docs/decisions/022).
 *
 * @param enabled false: calls go without a budget (retries and the circuit breaker stay)
 * @param window the provider's rate-limit window: a minute (shorter only to time-scale a test)
 * @param members processes sharing the limits; unset: counted, per provider and model, from the
 *     consumer groups {@code <group-prefix>.<provider>@<key digest>.<model>} that every calling
 *     process joins
 * @param groupPrefix the prefix of those consumer groups
 * @param membersRefresh how often the groups' members are counted
 * @param idleLeave how long without a call to a model before a process leaves its group (and gives
 *     its share back to the others); default two windows
 * @param limits known limits per provider (and model, {@code *} = all); the provider's {@code
 *     x-ratelimit-limit-*} headers replace them when it sends them
 */
@ConfigurationProperties("moa.ratelimit")
public record MoaRateLimitProperties(
    Boolean enabled,
    Duration window,
    Integer members,
    String groupPrefix,
    Duration membersRefresh,
    Duration idleLeave,
    List<Limit> limits) {

  public MoaRateLimitProperties {
    enabled = enabled == null || enabled;
    window = window == null ? Duration.ofMinutes(1) : window;
    groupPrefix = groupPrefix == null || groupPrefix.isBlank() ? "moa-ratelimit" : groupPrefix;
    membersRefresh = membersRefresh == null ? Duration.ofSeconds(5) : membersRefresh;
    idleLeave = idleLeave == null ? window.multipliedBy(2) : idleLeave;
    limits = limits == null ? List.of() : List.copyOf(limits);
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("moa.ratelimit.window must be >= 1ms but was " + window);
    }
    if (members != null && members < 1) {
      throw new IllegalArgumentException("moa.ratelimit.members must be >= 1 but was " + members);
    }
    if (idleLeave.toMillis() < 1) {
      throw new IllegalArgumentException(
          "moa.ratelimit.idle-leave must be >= 1ms but was " + idleLeave);
    }
    if (membersRefresh.toMillis() < 100) {
      throw new IllegalArgumentException(
          "moa.ratelimit.members-refresh must be >= 100ms but was " + membersRefresh);
    }
  }

  /**
   * One provider's (and model's) limits per window.
   *
   * @param model a model, or {@code *} (the default) for all of the provider's
   */
  public record Limit(
      String provider, String model, Long requestsPerMinute, Long tokensPerMinute) {}
}
