package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.Moa;
import dev.moa.testing.SharedBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rate-limit acceptance point, time-scaled: 4 agent-worker processes share one simulated key of
 * 60,000 tokens and 30 requests a minute, a minute lasting 3 s; over 3 measured minutes they use at
 * least 90 % of the token budget, no task fails and fewer than 2 % of calls get a 429.
 */
class RateLimitBenchIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void fourWorkersShareOneKeysLimitFullyWithoutTrippingIt() {
    String bootstrap = SharedBroker.settingsWithTopics().bootstrap();
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      exit =
          Moa.execute(
              "bench",
              "ratelimit",
              "--workers",
              "4",
              "--rpm",
              "30",
              "--tpm",
              "60000",
              "--minutes",
              "3",
              "--window",
              "3s",
              "--bootstrap",
              bootstrap,
              "--json");
    } finally {
      System.setOut(original);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as("exit code; output: %s", text).isZero();
    int start = text.startsWith("{") ? 0 : text.indexOf("\n{\n") + 1;
    JsonNode report = JSON.readTree(text.substring(start, text.lastIndexOf('}') + 1));
    JsonNode f = report.path("figures");

    assertThat(f.path("requests_admitted").asLong()).as("requests admitted").isPositive();
    assertThat(f.path("token_budget_used_pct").asDouble())
        .as("token budget used %")
        .isGreaterThanOrEqualTo(90);
    assertThat(f.path("token_budget_used_pct").asDouble())
        .as("never over the limit")
        .isLessThanOrEqualTo(100);
    assertThat(f.path("requests_failed").asLong()).as("requests failed").isZero();
    assertThat(f.path("tasks_answered").asLong()).isEqualTo(f.path("tasks_published").asLong());
    assertThat(f.path("pct_429").asDouble()).as("429 %% of calls").isLessThan(2);
    for (JsonNode t : report.path("targets")) {
      assertThat(t.path("met").asBoolean()).as("target %s", t).isTrue();
    }
  }
}
