package dev.moa.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatorOptionsTest {

  @Test
  void builderDefaults() {
    SimulatorOptions o = SimulatorOptions.builder().build();
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isZero();
    assertThat(o.defaultProfile()).isEqualTo(Profile.named("cerebras"));
    assertThat(o.modelProfiles()).isEmpty();
    assertThat(o.timeScale()).isEqualTo(1.0);
    assertThat(o.faults()).isEqualTo(FaultRates.none());
    assertThat(o.retryAfterSeconds()).isEqualTo(1);
    assertThat(o.seed()).isEqualTo(42);
  }

  @Test
  void modelProfilesOverrideTheDefault() {
    SimulatorOptions o =
        SimulatorOptions.builder()
            .defaultProfile("gpu")
            .modelProfile("qwen-3-32b", Profile.INSTANT)
            .faults("429=0.5")
            .build();
    assertThat(o.profileFor("qwen-3-32b")).isEqualTo(Profile.INSTANT);
    assertThat(o.profileFor("llama3.1-8b")).isEqualTo(Profile.GPU);
    assertThat(o.faults().http429()).isEqualTo(0.5);
    assertThat(o.toBuilder().build()).isEqualTo(o);
  }

  @Test
  void rejectsBadValuesNamingFieldAndValue() {
    assertThatThrownBy(() -> SimulatorOptions.builder().timeScale(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeScale: -1.0 must be >= 0");
    assertThatThrownBy(() -> SimulatorOptions.builder().timeScale(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeScale: NaN must be a finite number");
    assertThatThrownBy(() -> SimulatorOptions.builder().port(70000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 70000 is outside 0..65535");
    assertThatThrownBy(() -> SimulatorOptions.builder().port(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: -1 is outside 0..65535");
    assertThatThrownBy(() -> SimulatorOptions.builder().retryAfterSeconds(-2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryAfterSeconds: -2 must be >= 0");
    assertThatThrownBy(() -> SimulatorOptions.builder().host(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host: ' ' must not be blank");
    assertThatThrownBy(() -> SimulatorOptions.builder().defaultProfile((Profile) null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("defaultProfile: must not be null");
    assertThatThrownBy(
            () ->
                SimulatorOptions.builder()
                    .modelProfiles(Map.of("m", Profile.GPU, "", Profile.GPU))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("modelProfiles: entry =");
  }

  @Test
  void builtInProfiles() {
    assertThat(Profile.named("cerebras")).isEqualTo(new Profile("cerebras", 0.17, 2000));
    assertThat(Profile.named("GPU")).isEqualTo(new Profile("gpu", 0.5, 80));
    assertThat(Profile.named("instant").tokensPerSecond()).isInfinite();
    assertThat(Profile.named("instant").ttftSeconds()).isZero();
  }

  @Test
  void unknownProfileListsValidNames() {
    assertThatThrownBy(() -> Profile.named("tpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown profile 'tpu'; valid profiles: cerebras, gpu, instant");
  }

  @Test
  void profileValidation() {
    assertThatThrownBy(() -> new Profile("p", -0.5, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttftSeconds: -0.5 must be a finite number >= 0");
    assertThatThrownBy(() -> new Profile("p", 0.5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokensPerSecond: 0.0 must be > 0");
  }
}
