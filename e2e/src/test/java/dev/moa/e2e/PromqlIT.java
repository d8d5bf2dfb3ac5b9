package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.AnswerWatcher;
import dev.moa.cli.Moa;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalPrometheus;
import dev.moa.cli.stack.LocalStack;
import dev.moa.e2e.promql.DeployQueries;
import dev.moa.e2e.promql.PromqlNames;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.SharedBroker;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every PromQL expression shipped in deploy/ (dashboards and alert rules) against a real Prometheus
 * that scraped a running local stack: each parses, and every metric it names exists in the scraped
 * data. Also {@code promtool check rules} on the rule files.
 */
class PromqlIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path dir;
  private static LocalStack stack;
  private static Simulator faulty;
  private static LocalPrometheus prometheus;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("promql-it");
    stack =
        LocalStack.start(
            SharedBroker.bootstrap(),
            dir.resolve("stack"),
            0,
            "instant",
            LocalStack.Status.quiet());
    // A second simulator that fails calls, so that errors and retries have series too.
    faulty =
        Simulator.start(
            SimulatorOptions.builder()
                .defaultProfile("instant")
                .faults("5xx=0.25,429=0.25")
                .retryAfterSeconds(0)
                .seed(7)
                .build());
    prometheus =
        LocalPrometheus.start(
            dir.resolve("prometheus"),
            LocalPrometheus.targets(stack.serviceUrls(), stack.simulator().baseUrl()),
            DeployQueries.ruleFiles(),
            Duration.ofSeconds(1));
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (faulty != null) {
      faulty.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void everyShippedQueryParsesAndNamesOnlyScrapedMetrics() throws Exception {
    generateTraffic();
    Instant trafficEnd = Instant.now();
    awaitScrapesAfter(trafficEnd);

    List<String> problems = new ArrayList<>();
    for (JsonNode t : api("/api/v1/targets").path("data").path("activeTargets")) {
      if (!t.path("health").asString().equals("up")) {
        problems.add(
            "target "
                + t.path("scrapeUrl").asString()
                + " is "
                + t.path("health").asString()
                + ": "
                + t.path("lastError").asString());
      }
    }
    Set<String> scraped = new HashSet<>();
    api("/api/v1/label/__name__/values").path("data").forEach(n -> scraped.add(n.asString()));

    List<DeployQueries.Query> queries = DeployQueries.all();
    assertThat(queries).hasSizeGreaterThan(30);
    Set<String> missing = new TreeSet<>();
    for (DeployQueries.Query q : queries) {
      JsonNode result = query(q.promql());
      if (!result.path("status").asString().equals("success")) {
        problems.add(
            q.where() + ": does not run: " + result.path("error").asString() + " in " + q.promql());
      }
      Set<String> absent = new LinkedHashSet<>(PromqlNames.of(q.promql()));
      absent.removeAll(scraped);
      if (!absent.isEmpty()) {
        problems.add(q.where() + ": not in the scraped data: " + absent);
        missing.addAll(absent);
      }
    }
    for (Path rules : DeployQueries.ruleFiles()) {
      Process p =
          new ProcessBuilder("promtool", "check", "rules", rules.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        problems.add("promtool check rules " + rules + " failed: " + out);
      }
    }
    assertThat(problems).as("metric names missing from the scraped data: " + missing).isEmpty();
  }

  /** Requests (some against the failing simulator, with prices) and a small graded eval run. */
  private static void generateTraffic() throws Exception {
    KafkaSettings settings = KafkaSettings.local(stack.bootstrap());
    MoaConfig config =
        TestPipeline.config(
            TestPipeline.yaml(2, " {helper_response}")
                + "prices:\n"
                + "  model-a: {input: 0.6, output: 1.2}\n"
                + "  model-agg: {input: 0.85, output: 1.2}\n");
    try (AnswerWatcher watcher = new AnswerWatcher(settings)) {
      List<MoaRequest> sent = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Simulator target = i % 2 == 0 ? faulty : stack.simulator();
        MoaRequest r = TestPipeline.request(config, target, "promql traffic " + i);
        watcher.submit(r);
        sent.add(r);
      }
      for (MoaRequest r : sent) {
        try {
          watcher.await(r.getRequestId(), Duration.ofMinutes(2), chunk -> {});
        } catch (UserError failedRequest) {
          // A request the failing simulator broke still counts: its failure is a metric too.
        }
      }
    }

    Path config2 = dir.resolve("eval.yaml");
    Files.writeString(config2, TestPipeline.yaml(1, " {helper_response}"));
    int exit =
        Moa.execute(
            "eval",
            "--bootstrap",
            stack.bootstrap(),
            "--simulator-url",
            stack.simulator().baseUrl(),
            "--config",
            config2.toString(),
            "--limit",
            "6",
            "--out",
            dir.resolve("run").toString(),
            "--run-id",
            "promql-it",
            "--progress",
            "none");
    assertThat(exit).as("the eval run").isZero();

    // One undecodable task: the agent worker dead-letters it.
    Map<String, Object> props = new java.util.HashMap<>(settings.common());
    try (var producer =
        new KafkaProducer<byte[], byte[]>(
            props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.AGENT_TASKS.name(),
                  "poison".getBytes(StandardCharsets.UTF_8),
                  "not avro".getBytes(StandardCharsets.UTF_8)))
          .get(30, TimeUnit.SECONDS);
    }
    Awaitility.await("the poison task is dead-lettered and scraped")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> query("sum(moa_dlt_records_total) > 0").path("data").path("result").size() > 0);
    // Micrometer's Kafka binder adds per-partition meters (records_lag) when it next refreshes the
    // client's metrics, up to 60 s after the partitions were assigned.
    Awaitility.await("per-partition consumer lag is scraped")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                query("count(kafka_consumer_fetch_manager_records_lag)")
                        .path("data")
                        .path("result")
                        .size()
                    > 0);
  }

  /** Until every target has been scraped after {@code since}. */
  private static void awaitScrapesAfter(Instant since) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              JsonNode targets = api("/api/v1/targets").path("data").path("activeTargets");
              assertThat(targets.size()).isEqualTo(LocalStack.SERVICES.size() + 1);
              for (JsonNode t : targets) {
                assertThat(Instant.parse(t.path("lastScrape").asString()))
                    .as(t.path("scrapeUrl").asString())
                    .isAfter(since);
              }
            });
  }

  private static JsonNode query(String promql) throws Exception {
    return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  private static JsonNode api(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(prometheus.url() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }
}
