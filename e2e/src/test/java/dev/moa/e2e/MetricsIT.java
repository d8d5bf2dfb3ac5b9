package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.batch.RunEngine;
import dev.moa.batch.RunsTopic;
import dev.moa.cli.AnswerWatcher;
import dev.moa.cli.stack.LocalStack;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.SharedBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local stack exports the metrics of the contract: requests go through every service (one with
 * two layers, some against a simulator that answers 429 now and then), answers are graded (exact
 * and judge), a run publishes its sample counts and a poison task is dead-lettered; then every
 * service's {@code /actuator/prometheus} and the simulators' {@code /metrics} are scraped over HTTP
 * and the text format is parsed. Token usage the services counted must equal what the simulators
 * served.
 */
class MetricsIT {

  private static final List<String> GEN_AI_KEYS =
      List.of(
          "gen_ai_request_model",
          "gen_ai_provider_name",
          "gen_ai_operation_name",
          "moa_agent",
          "moa_layer");

  private static final String RUN_ID = "metrics-it-run";

  /** The last raw scrape of each URL, written to target/metrics-it/ for a reader to look at. */
  private static final Map<String, String> RAW = new java.util.concurrent.ConcurrentHashMap<>();

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static KafkaSettings settings;
  private static LocalStack stack;
  private static Simulator limited;

  @BeforeAll
  static void start() throws Exception {
    settings = SharedBroker.settingsWithTopics();
    stack =
        LocalStack.start(
            settings.bootstrap(),
            Files.createTempDirectory("metrics-it"),
            0,
            "instant",
            LocalStack.Status.quiet());
    // A second model server that rate-limits 40% of calls (retry-after 1 s).
    limited =
        Simulator.start(
            SimulatorOptions.builder()
                .defaultProfile(Profile.INSTANT)
                .faults("429=0.4")
                .retryAfterSeconds(1)
                .seed(7)
                .build());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (limited != null) {
      limited.close();
    }
  }

  static MoaConfig config(int layers) {
    return TestPipeline.config(
        TestPipeline.yaml(layers, "")
            + "prices:\n  model-a: {input: 0.6, output: 1.2}\n  model-agg: {input: 1, output: 2}\n");
  }

  static MoaRequest graded(MoaRequest request, GradingSpec grading) {
    return MoaRequest.newBuilder(request).setGrading(grading).build();
  }

  @Test
  void everyServiceExportsTheContractMetricsAndTokensMatchTheSimulators() throws Exception {
    Simulator sim = stack.simulator();
    List<MoaRequest> requests =
        List.of(
            graded(
                TestPipeline.request(config(1), sim, "What is 6 times 7?"),
                new GradingSpec("exact", "{}", "\"42\"")),
            graded(
                TestPipeline.request(config(2), limited, "Is 42 the answer?"),
                new GradingSpec("judge", "{\"rubric\": \"Is 42 right?\"}", "\"42\"")),
            TestPipeline.request(config(2), sim, "Two layers, please."));
    Set<String> requestIds = new TreeSet<>();
    List<FinalAnswer> answers = new ArrayList<>();
    try (AnswerWatcher watcher = new AnswerWatcher(settings)) {
      for (MoaRequest r : requests) {
        requestIds.add(r.getRequestId());
        watcher.submit(r);
      }
      for (MoaRequest r : requests) {
        answers.add(watcher.await(r.getRequestId(), Duration.ofMinutes(2), c -> {}));
      }
    }
    assertThat(answers).extracting(FinalAnswer::getStatus).contains(AnswerStatus.SUCCEEDED);

    RunsTopic.publish(
        settings,
        new RunEngine.SampleCounts(5, 4, 3, 2, 1)
            .applyTo(RunsTopic.state(RUN_ID, RunStatus.RUNNING, "it.jsonl", "it", 5, null)));
    try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(settings.producer("metrics-it"))) {
      raw.send(
              new ProducerRecord<>(
                  Topics.AGENT_TASKS.name(),
                  "poison".getBytes(StandardCharsets.UTF_8),
                  "not avro".getBytes(StandardCharsets.UTF_8)))
          .get();
    }

    Map<String, String> urls = new LinkedHashMap<>();
    stack.serviceUrls().forEach((name, url) -> urls.put(name, url + "/actuator/prometheus"));
    urls.put("simulator", sim.metricsUrl());
    urls.put("simulator-limited", limited.metricsUrl());
    Map<String, List<Sample>> scraped = new LinkedHashMap<>();
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              scraped.clear();
              for (var u : urls.entrySet()) {
                scraped.put(u.getKey(), scrape(u.getValue()));
              }
              assertThat(sum(scraped.get("grader-worker"), "moa_grades_total", s -> true))
                  .as("both grades counted")
                  .isGreaterThanOrEqualTo(2);
              assertThat(
                      sum(
                          scraped.get("orchestrator"),
                          "moa_run_samples",
                          s -> RUN_ID.equals(s.labels.get("run"))))
                  .as("run samples of the published run")
                  .isEqualTo(5 + 4 + 3 + 2 + 1 + 2);
              assertThat(
                      sum(
                          scraped.get("agent-worker"),
                          "moa_dlt_records_total",
                          s -> Topics.AGENT_TASKS.name().equals(s.labels.get("topic"))))
                  .isEqualTo(1);
              assertThat(sum(scraped.get("orchestrator"), "moa_requests_total", s -> true))
                  .isGreaterThanOrEqualTo(3);
              // Micrometer's Kafka binders pick up per-partition metrics (assigned after the
              // client started) on their next refresh, a minute after binding.
              for (String service : stack.serviceUrls().keySet()) {
                assertThat(named(scraped.get(service), "kafka_consumer_fetch_manager_records_lag"))
                    .as(service + " per-partition consumer lag")
                    .isNotEmpty();
              }
            });
    Path out = Path.of("target", "metrics-it");
    Files.createDirectories(out);
    for (var e : urls.entrySet()) {
      Files.writeString(out.resolve(e.getKey() + ".prom"), RAW.get(e.getValue()));
    }

    List<Sample> agents = scraped.get("agent-worker");
    List<Sample> aggregator = scraped.get("aggregator");
    List<Sample> grader = scraped.get("grader-worker");
    List<Sample> orchestrator = scraped.get("orchestrator");

    // GenAI metrics: the same tag keys on every series, agents by layer, the aggregator and judge
    // by role.
    for (String name :
        List.of(
            "gen_ai_client_token_usage_bucket",
            "gen_ai_client_operation_duration_seconds_count",
            "gen_ai_server_time_to_first_token_seconds_count",
            "gen_ai_server_time_per_output_token_seconds_count")) {
      for (List<Sample> service : List.of(agents, aggregator, grader)) {
        List<Sample> series = named(service, name);
        assertThat(series).as(name).isNotEmpty();
        assertThat(series)
            .as(name + " tag keys")
            .allSatisfy(s -> assertThat(s.labels).containsKeys(GEN_AI_KEYS.toArray(String[]::new)));
      }
    }
    assertThat(named(agents, "gen_ai_client_token_usage_sum"))
        .anySatisfy(
            s ->
                assertThat(s.labels)
                    .containsEntry("gen_ai_request_model", "model-a")
                    .containsEntry("gen_ai_provider_name", "simulator")
                    .containsEntry("gen_ai_operation_name", "chat")
                    .containsEntry("moa_agent", "alpha")
                    .containsEntry("moa_layer", "2")
                    .containsEntry("gen_ai_token_type", "output"));
    assertThat(named(agents, "gen_ai_client_token_usage_sum"))
        .extracting(s -> s.labels.get("gen_ai_token_type"))
        .containsOnly("input", "output");
    assertThat(named(aggregator, "gen_ai_client_operation_duration_seconds_count"))
        .anySatisfy(
            s ->
                assertThat(s.labels)
                    .containsEntry("moa_agent", "aggregator")
                    .containsEntry("moa_layer", "aggregator")
                    .containsEntry("error_type", ""));
    assertThat(named(grader, "gen_ai_client_operation_duration_seconds_count"))
        .anySatisfy(
            s ->
                assertThat(s.labels)
                    .containsEntry("moa_agent", "judge")
                    .containsEntry("moa_layer", "judge"));
    assertThat(
            named(agents, "gen_ai_client_token_usage_bucket").stream()
                .map(s -> s.labels.get("le"))
                .toList())
        .contains("1.0", "4.0", "16.0", "6.7108864E7");
    assertThat(named(agents, "moa_inflight_calls")).isNotEmpty();
    assertThat(named(aggregator, "moa_inflight_calls")).isNotEmpty();

    // Rate limits and retries: the limited simulator answered 429s to agents or the aggregator.
    Predicate<Sample> limitedCalls = s -> true;
    double waits =
        sum(agents, "moa_ratelimit_wait_seconds_count", limitedCalls)
            + sum(aggregator, "moa_ratelimit_wait_seconds_count", limitedCalls);
    double retries429 =
        sum(agents, "moa_retries_total", s -> "http_429".equals(s.labels.get("cause")))
            + sum(aggregator, "moa_retries_total", s -> "http_429".equals(s.labels.get("cause")));
    // Every 429's back-off is a wait; the agent workers' rate budget (decision 022) adds its own
    // waits for a share of the limit the simulator announced, so there can be more waits than 429s.
    assertThat(retries429).isPositive();
    assertThat(waits).isGreaterThanOrEqualTo(retries429);
    assertThat(named(agents, "moa_ratelimit_wait_seconds_sum"))
        .allSatisfy(
            s ->
                assertThat(s.labels.keySet())
                    .containsExactlyInAnyOrder("gen_ai_provider_name", "gen_ai_request_model"));

    // Cost only for priced models.
    assertThat(named(agents, "moa_cost_usd_total"))
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.labels.get("gen_ai_request_model")).isEqualTo("model-a");
              assertThat(s.labels.keySet())
                  .containsExactlyInAnyOrder(
                      "gen_ai_request_model", "gen_ai_token_type", "moa_agent");
              assertThat(s.value).isPositive();
            });
    assertThat(named(aggregator, "moa_cost_usd_total"))
        .anySatisfy(s -> assertThat(s.labels).containsEntry("moa_agent", "aggregator"));

    // Pipeline metrics of the orchestrator.
    assertThat(named(orchestrator, "moa_request_duration_seconds_bucket"))
        .anySatisfy(s -> assertThat(s.labels).containsEntry("outcome", "ok"));
    assertThat(named(orchestrator, "moa_requests_total"))
        .allSatisfy(s -> assertThat(s.labels.get("outcome")).isIn("ok", "failed"));
    for (String name :
        List.of("moa_layer_duration_seconds_bucket", "moa_barrier_wait_seconds_bucket")) {
      assertThat(named(orchestrator, name).stream().map(s -> s.labels.get("moa_layer")))
          .as(name)
          .contains("1", "2");
    }
    Map<String, Double> runSamples = new LinkedHashMap<>();
    named(orchestrator, "moa_run_samples").stream()
        .filter(s -> RUN_ID.equals(s.labels.get("run")))
        .forEach(s -> runSamples.put(s.labels.get("state"), s.value));
    assertThat(runSamples)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "total", 5.0,
                "submitted", 4.0,
                "answered", 3.0,
                "graded", 2.0,
                "failed", 1.0,
                "pending", 2.0));

    // Grades.
    assertThat(named(grader, "moa_grades_total"))
        .anySatisfy(
            s ->
                assertThat(s.labels)
                    .containsEntry("grader", "exact")
                    .containsEntry("outcome", "graded"));
    assertThat(named(grader, "moa_grades_total"))
        .anySatisfy(s -> assertThat(s.labels).containsEntry("grader", "judge"));
    assertThat(named(grader, "moa_grade_score_count"))
        .anySatisfy(s -> assertThat(s.labels).containsEntry("grader", "exact"));

    // Kafka client metrics, consumer lag included, on every service.
    for (String service : stack.serviceUrls().keySet()) {
      List<Sample> samples = scraped.get(service);
      assertThat(named(samples, "kafka_consumer_fetch_manager_records_lag_max"))
          .as(service + " consumer lag")
          .isNotEmpty();
      assertThat(named(samples, "kafka_producer_record_send_total"))
          .as(service + " producer sends")
          .isNotEmpty();
    }
    assertThat(named(agents, "kafka_consumer_fetch_manager_records_lag"))
        .anySatisfy(s -> assertThat(s.labels).containsKeys("client_id", "topic", "partition"));

    // Token usage the services counted equals what the simulators served.
    List<Sample> sims = new ArrayList<>(scraped.get("simulator"));
    sims.addAll(scraped.get("simulator-limited"));
    for (String[] kind :
        new String[][] {
          {"input", "vllm:prompt_tokens_total"}, {"output", "vllm:generation_tokens_total"}
        }) {
      double counted = 0;
      for (List<Sample> service : List.of(agents, aggregator, grader)) {
        counted +=
            sum(
                service,
                "gen_ai_client_token_usage_sum",
                s -> kind[0].equals(s.labels.get("gen_ai_token_type")));
      }
      double served = sum(sims, kind[1], s -> true);
      assertThat(served).as(kind[1]).isPositive();
      assertThat(counted).as(kind[0] + " tokens counted vs " + kind[1]).isEqualTo(served);
    }
    // Our requests' answers carry usage that the services counted too.
    long answerTokens =
        answers.stream()
            .mapToLong(a -> a.getUsage().getPromptTokens() + a.getUsage().getCompletionTokens())
            .sum();
    assertThat(answerTokens).isPositive();

    // The simulators' own series.
    for (String name :
        List.of(
            "vllm:num_requests_running",
            "vllm:num_requests_waiting",
            "vllm:time_to_first_token_seconds_count",
            "vllm:e2e_request_latency_seconds_bucket")) {
      assertThat(named(scraped.get("simulator"), name))
          .as(name)
          .isNotEmpty()
          .allSatisfy(s -> assertThat(s.labels).containsKey("model_name"));
    }

    // No request id in any tag, anywhere.
    for (var e : scraped.entrySet()) {
      for (Sample s : e.getValue()) {
        // (Kafka Streams' own task_id label names a stream task such as 0_3, not one of ours;
        // our task ids all contain their request id, which the loop below rules out.)
        assertThat(s.labels.keySet()).as(e.getKey()).doesNotContain("request_id");
        for (String value : s.labels.values()) {
          for (String id : requestIds) {
            assertThat(value).as(e.getKey() + " " + s.name).doesNotContain(id);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The Prometheus text format, parsed.

  /** One sample line: name, labels, value. */
  record Sample(String name, Map<String, String> labels, double value) {
    @Override
    public String toString() {
      return name + labels + " " + value;
    }
  }

  static List<Sample> named(List<Sample> samples, String name) {
    return samples.stream().filter(s -> s.name.equals(name)).toList();
  }

  static double sum(List<Sample> samples, String name, Predicate<Sample> which) {
    return named(samples, name).stream().filter(which).mapToDouble(Sample::value).sum();
  }

  static List<Sample> scrape(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("accept", "text/plain; version=0.0.4")
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).as(url).startsWith("text/plain");
    RAW.put(url, r.body());
    return parse(r.body());
  }

  static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        int end = parseLabels(line, brace + 1, labels);
        space = line.indexOf(' ', end);
      } else {
        name = line.substring(0, line.indexOf(' '));
        space = name.length();
      }
      String[] rest = line.substring(space).trim().split(" ");
      out.add(new Sample(name, labels, Double.parseDouble(rest[0])));
    }
    return out;
  }

  /** Parses {@code k="v",...} from {@code i}; returns the index after the closing brace. */
  private static int parseLabels(String line, int i, Map<String, String> labels) {
    while (line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      String key = line.substring(i, eq);
      StringBuilder value = new StringBuilder();
      int j = eq + 2; // past ="
      while (line.charAt(j) != '"') {
        char c = line.charAt(j);
        if (c == '\\') {
          char n = line.charAt(++j);
          value.append(n == 'n' ? '\n' : n);
        } else {
          value.append(c);
        }
        j++;
      }
      labels.put(key, value.toString());
      i = j + 1;
      if (line.charAt(i) == ',') {
        i++;
      }
    }
    return i + 1;
  }
}
