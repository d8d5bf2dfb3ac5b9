package dev.moa.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AggregatorPropertiesTest {

  @Test
  void idleTimeoutDefaultsToSixtySecondsAndMustBePositive() {
    assertThat(new AggregatorProperties(null, null, null, null, null, null).idleTimeout())
        .isEqualTo(Duration.ofSeconds(60));
    assertThatThrownBy(
            () -> new AggregatorProperties(null, null, null, Duration.ofSeconds(-1), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("moa.aggregator.idle-timeout must be > 0 but was PT-1S");
  }
}
