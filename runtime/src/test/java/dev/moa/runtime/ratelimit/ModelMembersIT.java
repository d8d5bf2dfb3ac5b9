package dev.moa.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.testing.BrokerSettings;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Processes (here: three {@link ModelMembers}, as three services would hold) share a model's limits
 * with exactly those that call it, on a real broker; an idle one gives its share back.
 */
class ModelMembersIT {

  @Test
  void eachModelIsSharedByTheProcessesCallingItAndAnIdleOneLeaves() {
    KafkaSettings settings = BrokerSettings.withTopics();
    String prefix = "moa-ratelimit-it-" + UUID.randomUUID();
    Duration refresh = Duration.ofMillis(300);
    try (ModelMembers worker1 = new ModelMembers(settings, prefix, refresh, Duration.ofMinutes(5));
        ModelMembers worker2 = new ModelMembers(settings, prefix, refresh, Duration.ofMinutes(5));
        ModelMembers aggregator =
            new ModelMembers(settings, prefix, refresh, Duration.ofSeconds(3))) {
      // Two workers call the agents' model; the aggregator calls its own model and, once, theirs.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                int a1 = worker1.count("sim", "agent-model");
                int a2 = worker2.count("sim", "agent-model");
                int agg = aggregator.count("sim", "aggregator-model");
                return a1 == 2 && a2 == 2 && agg == 1;
              });
      aggregator.count("sim", "agent-model");
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                aggregator.count("sim", "aggregator-model"); // keeps calling its own model
                return worker1.count("sim", "agent-model") == 3;
              });
      assertThat(aggregator.groups())
          .containsExactlyInAnyOrder(prefix + ".sim.agent-model", prefix + ".sim.aggregator-model");

      // The aggregator stops calling the agents' model: after idle-leave (3 s) it leaves, and the
      // workers' share grows back to a half each.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                aggregator.count("sim", "aggregator-model");
                return worker1.count("sim", "agent-model") == 2
                    && worker2.count("sim", "agent-model") == 2;
              });
      assertThat(aggregator.groups()).containsExactly(prefix + ".sim.aggregator-model");
    }
  }

  @Test
  void aModelsFirstCallsWaitUntilItsGroupIsCountedWithThisProcessInIt() {
    KafkaSettings settings = BrokerSettings.withTopics();
    String prefix = "moa-ratelimit-it-" + UUID.randomUUID();
    Duration refresh = Duration.ofSeconds(30); // only first counts happen within this test
    try (ModelMembers a = new ModelMembers(settings, prefix, refresh, Duration.ofMinutes(5));
        ModelMembers b = new ModelMembers(settings, prefix, refresh, Duration.ofMinutes(5))) {
      assertThat(a.count("sim", "m1")).as("not counted yet").isZero();
      long start = System.nanoTime();
      await()
          .atMost(ModelMembers.FIRST_COUNT_WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> a.count("sim", "m1") > 0);
      // Counted (with a in it) well before the fallback would have answered.
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(ModelMembers.FIRST_COUNT_WAIT);
      assertThat(a.count("sim", "m1")).isEqualTo(1);
      // b's first count includes a, which is already in the group.
      await()
          .atMost(ModelMembers.FIRST_COUNT_WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> b.count("sim", "m1") > 0);
      assertThat(b.count("sim", "m1")).isEqualTo(2);
    }
  }
}
