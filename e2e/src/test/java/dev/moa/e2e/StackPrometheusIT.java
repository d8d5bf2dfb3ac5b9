package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.Moa;
import dev.moa.cli.UserError;
import dev.moa.e2e.promql.DeployQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code moa up --with-prometheus}, {@code moa status --json} and {@code moa down}, as a user runs
 * them.
 */
class StackPrometheusIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private record Result(int exit, String out) {}

  private static Result moa(Path home, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path")));
    cmd.add(Moa.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("MOA_HOME", home.toString());
    pb.environment().remove("CEREBRAS_API_KEY");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("moa " + String.join(" ", args)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static JsonNode get(String url) throws Exception {
    return JSON.readTree(
        HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  @Test
  void withoutPrometheusInstalledUpSaysHowToInstallIt(@TempDir Path home) throws Exception {
    Result r =
        moa(home, Map.of("MOA_PROMETHEUS", "/nonexistent/prometheus"), "up", "--with-prometheus");

    assertThat(r.exit()).isEqualTo(UserError.USAGE);
    assertThat(r.out())
        .contains("prometheus is not installed")
        .contains("apt-get install prometheus");
  }

  @Test
  void upWithPrometheusScrapesTheStackAndDownStopsIt(@TempDir Path home) throws Exception {
    long stackPid = -1;
    try {
      Result up = moa(home, Map.of(), "up", "--with-prometheus", "--simulator-profile", "instant");
      assertThat(up.exit()).as(up.out()).isZero();
      assertThat(up.out()).contains("prometheus     http://127.0.0.1:");

      Result status = moa(home, Map.of(), "status", "--json");
      assertThat(status.exit()).as(status.out()).isZero();
      JsonNode s = JSON.readTree(status.out());
      stackPid = s.path("pid").asLong();
      String url = s.path("prometheus").asString();
      assertThat(url).startsWith("http://127.0.0.1:");
      assertThat(Path.of(s.path("data_dir").asString()).resolve("prometheus/data")).isDirectory();

      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode targets = get(url + "/api/v1/targets").path("data").path("activeTargets");
                List<String> jobs = new ArrayList<>();
                for (JsonNode t : targets) {
                  String job = t.path("labels").path("job").asString();
                  jobs.add(job);
                  if (job.equals("simulator")) {
                    assertThat(t.path("scrapeUrl").asString()).endsWith("/metrics");
                  } else {
                    assertThat(t.path("scrapeUrl").asString()).endsWith("/actuator/prometheus");
                    assertThat(t.path("health").asString()).as(job).isEqualTo("up");
                  }
                }
                assertThat(jobs)
                    .containsExactlyInAnyOrder(
                        "orchestrator", "agent-worker", "aggregator", "grader-worker", "simulator");
              });
      JsonNode groups = get(url + "/api/v1/rules").path("data").path("groups");
      if (!DeployQueries.ruleFiles().isEmpty()) {
        assertThat(groups.size()).as("the shipped alert rules are loaded").isPositive();
      }
      List<ProcessHandle> prometheus =
          ProcessHandle.of(stackPid)
              .orElseThrow()
              .descendants()
              .filter(h -> h.info().command().orElse("").endsWith("prometheus"))
              .toList();
      assertThat(prometheus).hasSize(1);

      Result down = moa(home, Map.of(), "down");
      assertThat(down.exit()).as(down.out()).isZero();
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(prometheus).noneMatch(ProcessHandle::isAlive));
      assertThat(moa(home, Map.of(), "status", "--json").out()).contains("\"running\": false");
    } finally {
      if (stackPid > 0) {
        ProcessHandle.of(stackPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }
}
