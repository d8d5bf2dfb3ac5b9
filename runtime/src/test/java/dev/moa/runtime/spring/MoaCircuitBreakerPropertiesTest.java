package dev.moa.runtime.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.provider.CircuitBreakerSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MoaCircuitBreakerPropertiesTest {

  @Test
  void unsetFieldsKeepTheDefaultsAndSetOnesWin() {
    CircuitBreakerSettings s =
        new MoaCircuitBreakerProperties(null, 30f, null, 5, Duration.ofSeconds(2), null).settings();
    CircuitBreakerSettings d = CircuitBreakerSettings.defaults();
    assertThat(s)
        .isEqualTo(
            new CircuitBreakerSettings(
                d.enabled(), 30f, d.window(), 5, Duration.ofSeconds(2), d.halfOpenCalls()));
    assertThat(new MoaCircuitBreakerProperties(false, null, null, null, null, null).settings())
        .extracting(CircuitBreakerSettings::enabled)
        .isEqualTo(false);
  }

  @Test
  void aBadValueNamesThePropertyAndTheValue() {
    assertThatThrownBy(
            () -> new MoaCircuitBreakerProperties(null, 150f, null, null, null, null).settings())
        .hasMessage(
            "moa.circuit-breaker: failureRatePercent must be within (0, 100] but was 150.0");
    assertThatThrownBy(
            () -> new MoaCircuitBreakerProperties(null, null, 0, null, null, null).settings())
        .hasMessageContaining("moa.circuit-breaker: window must be >= 1 but was 0");
  }
}
