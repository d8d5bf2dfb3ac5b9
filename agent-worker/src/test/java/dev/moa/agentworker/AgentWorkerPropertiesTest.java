package dev.moa.agentworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentWorkerPropertiesTest {

  @Test
  void idleTimeoutDefaultsToSixtySecondsAndMustBePositive() {
    assertThat(new AgentWorkerProperties(null, null, null, null, null).idleTimeout())
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(
            new AgentWorkerProperties(null, null, null, null, Duration.ofSeconds(5)).idleTimeout())
        .isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> new AgentWorkerProperties(null, null, null, null, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("moa.agent-worker.idle-timeout must be > 0 but was PT0S");
  }
}
