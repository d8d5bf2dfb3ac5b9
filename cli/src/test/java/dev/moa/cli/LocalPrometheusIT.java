package dev.moa.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.cli.stack.LocalPrometheus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real prometheus binary as LocalPrometheus runs it: ready, scraping, and never orphaned. */
class LocalPrometheusIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String get(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void itScrapesItsTargetsAndCloseStopsIt(@TempDir Path dir) throws Exception {
    List<ProcessHandle> processes;
    try (LocalPrometheus p =
        LocalPrometheus.start(dir, List.of(), List.of(), Duration.ofSeconds(1))) {
      processes = p.processes();
      assertThat(processes.stream().map(h -> h.info().command().orElse("")))
          .anyMatch(c -> c.endsWith("prometheus"));
      assertThat(get(p.url() + "/api/v1/status/flags"))
          .contains("127.0.0.1:" + URI.create(p.url()).getPort())
          .contains(dir.resolve("data").toString());
      assertThat(Files.readString(dir.resolve("prometheus.yml")))
          .contains("scrape_interval: 1000ms");
    }
    assertThat(processes).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void aBrokenRuleFileIsAnErrorWithPrometheussMessage(@TempDir Path dir) throws Exception {
    Path rules = dir.resolve("alerts.yml");
    Files.writeString(
        rules, "groups:\n  - name: moa\n    rules:\n      - alert: X\n        expr: rate(\n");

    assertThatThrownBy(
            () ->
                LocalPrometheus.start(
                    dir.resolve("p"), List.of(), List.of(rules), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prometheus exited")
        .hasMessageContaining("alerts.yml");
  }

  @Test
  void prometheusDiesWithItsOwnerEvenOnSigkill(@TempDir Path dir) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx64m", "-cp", System.getProperty("java.class.path")));
    cmd.add(PrometheusOwnerMain.class.getName());
    cmd.add(dir.toString());
    Process owner = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      String url = null;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ready ")) {
          url = line.substring(6);
          break;
        }
      }
      assertThat(url).as("the owner started prometheus").isNotNull();
      assertThat(get(url + "/-/ready")).contains("Ready");
      List<ProcessHandle> children = owner.descendants().toList();
      assertThat(children.stream().map(h -> h.info().command().orElse("")))
          .anyMatch(c -> c.endsWith("prometheus"));

      owner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
    } finally {
      owner.destroyForcibly();
    }
  }
}
