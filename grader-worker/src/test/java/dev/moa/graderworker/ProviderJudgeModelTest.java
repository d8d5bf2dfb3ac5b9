package dev.moa.graderworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.graders.GradeResult;
import dev.moa.graders.JudgeGrader;
import dev.moa.provider.ProviderClient;
import dev.moa.provider.ProviderClientOptions;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker's judge over the provider client, against the built-in simulator over HTTP. */
class ProviderJudgeModelTest {

  static Simulator simulator;
  static ProviderClient client;

  @BeforeAll
  static void start() {
    simulator = Simulator.start(SimulatorOptions.builder().defaultProfile("instant").build());
    client =
        new ProviderClient(
            ProviderClientOptions.builder().callTimeout(Duration.ofSeconds(20)).build());
  }

  @AfterAll
  static void stop() {
    client.close();
    simulator.close();
  }

  static GraderWorkerProperties.Judge props(String baseUrl, String keyEnv) {
    return new GraderWorkerProperties.Judge(
        baseUrl, "llama3.1-8b", keyEnv, "sim", null, null, Duration.ofSeconds(20), null);
  }

  @Test
  void theSimulatedJudgeGivesAParseableDeterministicVerdict() {
    ProviderJudgeModel judge =
        ProviderJudgeModel.of(props(simulator.baseUrl(), null), client, n -> null);
    JudgeGrader grader = new JudgeGrader(judge);

    GradeResult first = grader.grade("Paris is the capital of France.", null, "\"Paris\"");
    assertThat(first).isInstanceOf(GradeResult.Scored.class);
    GradeResult.Scored s = (GradeResult.Scored) first;
    assertThat(s.score()).isBetween(1.0, 10.0);
    assertThat(s.maxScore()).isEqualTo(10);
    assertThat(s.details()).containsEntry("model", "llama3.1-8b");
    assertThat((String) s.details().get("verdict"))
        .startsWith("[simulated model llama3.1-8b]")
        .endsWith("Score: " + (int) s.score());
  }

  @Test
  void theSamplesModelOptionOverridesTheDefaultModel() {
    ProviderJudgeModel judge =
        ProviderJudgeModel.of(props(simulator.baseUrl(), null), client, n -> null);
    GradeResult.Scored s =
        (GradeResult.Scored)
            new JudgeGrader(judge)
                .grade("x", "{\"model\": \"qwen-3-32b\", \"max_tokens\": 400}", null);
    assertThat(s.details()).containsEntry("model", "qwen-3-32b");
    assertThat((String) s.details().get("verdict")).startsWith("[simulated model qwen-3-32b]");
  }

  @Test
  void anUnreachableJudgeIsAGradingError() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProviderClient quick =
        new ProviderClient(
            ProviderClientOptions.builder().callTimeout(Duration.ofSeconds(3)).build());
    try {
      ProviderJudgeModel judge =
          ProviderJudgeModel.of(props("http://127.0.0.1:" + port + "/v1", null), quick, n -> null);
      GradeResult r = new JudgeGrader(judge).grade("x", null, null);
      assertThat(r).isInstanceOf(GradeResult.Failed.class);
      assertThat(((GradeResult.Failed) r).reason()).startsWith("judge call failed: ");
    } finally {
      quick.close();
    }
  }

  @Test
  void theKeyComesFromTheNamedVariableAndIsNeverPrinted() {
    String secret = "sk-test-" + "4f9d2c81e7";
    Map<String, String> env = Map.of("JUDGE_KEY", secret);
    ProviderJudgeModel judge =
        ProviderJudgeModel.of(props(simulator.baseUrl(), "JUDGE_KEY"), client, env::get);
    assertThat(judge.endpoint().apiKey()).isEqualTo(secret);
    assertThat(judge.endpoint().toString()).doesNotContain(secret).contains("***");

    assertThatThrownBy(
            () ->
                ProviderJudgeModel.of(props(simulator.baseUrl(), "NO_SUCH_KEY"), client, env::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "moa.grader-worker.judge.api-key-env names the environment variable NO_SUCH_KEY,"
                + " which is not set or blank");
  }
}
