package dev.moa.graderworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.graders.BwrapSandbox;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GraderWorkerPropertiesTest {

  static GraderWorkerProperties.Judge judge(
      String baseUrl, String model, String keyEnv, Double temperature, Integer maxTokens) {
    return new GraderWorkerProperties.Judge(
        baseUrl, model, keyEnv, null, temperature, maxTokens, null, null);
  }

  @Test
  void defaults() {
    GraderWorkerProperties p = new GraderWorkerProperties(null, null, null, null, null, null);
    assertThat(p.concurrency()).isEqualTo(1);
    assertThat(p.gradingThreads()).isEqualTo(BwrapSandbox.defaultPoolSize());
    assertThat(p.sandboxPoolSize()).isEqualTo(p.gradingThreads());
    assertThat(p.maxInFlight()).isEqualTo(64);
    assertThat(p.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.sandbox().wallTimeout()).isEqualTo(Duration.ofSeconds(10));
    GraderWorkerProperties.Judge j = p.judge();
    assertThat(j.configured()).isFalse();
    assertThat(j.provider()).isEqualTo("judge");
    assertThat(j.temperature()).isZero();
    assertThat(j.maxTokens()).isEqualTo(1024);
    assertThat(j.timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(j.concurrency()).isEqualTo(16);
  }

  @Test
  void thePoolSizeDefaultsToTheGradingThreads() {
    assertThat(new GraderWorkerProperties(null, 7, null, null, null, null).sandboxPoolSize())
        .isEqualTo(7);
    assertThat(
            new GraderWorkerProperties(
                    null, 7, null, null, new GraderWorkerProperties.Sandbox(3, null, null), null)
                .sandboxPoolSize())
        .isEqualTo(3);
  }

  @Test
  void badValuesAreRejectedNamingThePropertyAndValue() {
    assertThatThrownBy(() -> new GraderWorkerProperties(0, null, null, null, null, null))
        .hasMessage("moa.grader-worker.concurrency must be >= 1 but was 0");
    assertThatThrownBy(() -> new GraderWorkerProperties(null, -2, null, null, null, null))
        .hasMessage("moa.grader-worker.grading-threads must be >= 1 but was -2");
    assertThatThrownBy(() -> new GraderWorkerProperties(null, null, 0, null, null, null))
        .hasMessage("moa.grader-worker.max-in-flight must be >= 1 but was 0");
    assertThatThrownBy(() -> new GraderWorkerProperties.Sandbox(0, null, null))
        .hasMessage("moa.grader-worker.sandbox.pool-size must be >= 1 but was 0");
    assertThatThrownBy(() -> new GraderWorkerProperties.Sandbox(null, Duration.ZERO, null))
        .hasMessage("moa.grader-worker.sandbox.wall-timeout must be > 0 but was PT0S");
  }

  @Test
  void theJudgeNeedsBaseUrlAndModelTogether() {
    assertThatThrownBy(() -> judge("http://127.0.0.1:9/v1", null, null, null, null))
        .hasMessageContaining("moa.grader-worker.judge.model must be set")
        .hasMessageContaining("http://127.0.0.1:9/v1");
    assertThatThrownBy(() -> judge(null, "llama3.1-8b", null, null, null))
        .hasMessageContaining("moa.grader-worker.judge.base-url must be set")
        .hasMessageContaining("llama3.1-8b");
    assertThat(judge(" ", " ", null, null, null).configured()).isFalse();
    assertThat(judge("https://api.example.com/v1", "m", null, null, null).configured()).isTrue();
  }

  @Test
  void badJudgeValuesAreRejectedNamingThePropertyAndValue() {
    assertThatThrownBy(() -> judge("ftp://host/v1", "m", null, null, null))
        .hasMessage(
            "moa.grader-worker.judge.base-url must be an http(s) URL but was 'ftp://host/v1'");
    assertThatThrownBy(() -> judge("http://h/v1", "m", "MY KEY", null, null))
        .hasMessageContaining("moa.grader-worker.judge.api-key-env")
        .hasMessageContaining("'MY KEY'");
    assertThatThrownBy(() -> judge("http://h/v1", "m", null, 2.5, null))
        .hasMessage("moa.grader-worker.judge.temperature must be within 0..2 but was 2.5");
    assertThatThrownBy(() -> judge("http://h/v1", "m", null, null, 0))
        .hasMessage("moa.grader-worker.judge.max-tokens must be >= 1 but was 0");
  }
}
