package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.Moa;
import dev.moa.localkafka.ChildProcesses;
import dev.moa.simulator.ApiKeyLedger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A full local stack ({@code moa up} in its own process) whose provider key variable holds a
 * planted fake key; the simulator is that provider over real HTTP, so the key is really sent. After
 * an ask and a small eval, the key must be nowhere: not in any log line of any process, any record
 * (key, value, headers) of any topic, any service's /actuator/prometheus, the simulator's /metrics,
 * the eval's reports or the stack's state directories. The scan is shown to work by planting the
 * key on purpose in a record header, a file and a metrics text and finding exactly those.
 */
class PlantedKeyScanIT {

  private static final String KEY_ENV = "MOA_PLANTED_KEY";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String key =
      "sk-planted-" + HexFormat.of().formatHex(SecureRandom.getSeed(16)).toLowerCase();

  private ProcessBuilder moa(Path home, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Moa.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.remove("CEREBRAS_API_KEY");
    env.put("MOA_HOME", home.toString());
    env.put(KEY_ENV, key);
    // Louder than the stack's default (WARN) so that the scan reads what an operator debugging
    // would see: our own code at DEBUG, the web clients' request logging at DEBUG.
    env.put("LOGGING_LEVEL_ROOT", "INFO");
    env.put("LOGGING_LEVEL_DEV_MOA", "DEBUG");
    env.put("LOGGING_LEVEL_ORG_SPRINGFRAMEWORK_WEB", "DEBUG");
    env.put("LOGGING_LEVEL_ORG_APACHE_KAFKA", "INFO");
    return pb.redirectErrorStream(true);
  }

  private static int run(ProcessBuilder pb, Path log, Duration timeout) throws Exception {
    Process p = pb.redirectOutput(log.toFile()).start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      ChildProcesses.terminate(p, Duration.ofSeconds(10));
      throw new AssertionError(log + ": did not finish within " + timeout);
    }
    return p.exitValue();
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r.body();
  }

  @Test
  void aPlantedProviderKeyIsSentToTheProviderAndFoundNowhereElse(@TempDir Path dir)
      throws Exception {
    Path home = dir.resolve("moa-home");
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);

    // 1. The stack, as 'moa up' runs it, in its own process with the key in its environment.
    Process up =
        moa(home, "up", "--foreground", "--simulator-profile=instant")
            .redirectOutput(logs.resolve("up.log").toFile())
            .start();
    try {
      Path stateFile = home.resolve("stack.json");
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!Files.exists(stateFile)) {
        assertThat(up.isAlive()).as("moa up exited; see up.log").isTrue();
        assertThat(System.nanoTime()).as("moa up did not start in 5 min").isLessThan(deadline);
        Thread.sleep(250); // polling a child process's file: no event to wait on
      }
      JsonNode state = JSON.readTree(Files.readString(stateFile));
      String bootstrap = state.path("bootstrap").asString();
      String simulatorBase = state.path("simulator").asString(); // http://127.0.0.1:P/v1
      String simulatorRoot = simulatorBase.replaceAll("/v1/?$", "");
      List<String> serviceUrls = new ArrayList<>();
      state.path("services").properties().forEach(e -> serviceUrls.add(e.getValue().asString()));
      assertThat(serviceUrls).hasSize(4);

      // 2. A config whose only provider is the simulator, reached with the planted key.
      Path config = dir.resolve("planted.yaml");
      Files.writeString(
          config,
          """
          name: planted
          providers:
            planted:
              base_url: "%s"
              api_key_env: %s
          layers: 1
          agents:
            - {name: a1, model: llama3.1-8b, provider: planted, temperature: 0.1, max_tokens: 48, prompt: "Answer. {helper_response}"}
            - {name: a2, model: qwen-3-32b, provider: planted, temperature: 0.3, max_tokens: 48, prompt: "Think. {helper_response}"}
          aggregator: {model: llama-3.3-70b, provider: planted, temperature: 0.1, max_tokens: 48, prompt: "Combine.\\n\\n{helper_response}"}
          min_successes: 1
          """
              .formatted(simulatorBase, KEY_ENV));
      Path dataset = dir.resolve("small.jsonl");
      Files.writeString(
          dataset,
          """
          {"id": "s1", "input": "What is 2+2?", "target": "4", "grader": {"type": "regex", "pattern": "."}}
          {"id": "s2", "input": "Name a colour.", "target": "blue", "grader": {"type": "exact"}}
          {"id": "s3", "input": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "Why?"}], "target": "x", "grader": {"type": "regex", "pattern": "."}}
          """);

      // 3. An ask and a small eval through the stack.
      int ask =
          run(
              moa(home, "ask", "--config", config.toString(), "What is a mixture of agents?"),
              logs.resolve("ask.log"),
              Duration.ofMinutes(3));
      assertThat(ask).as("ask exit code; see ask.log:\n" + read(logs.resolve("ask.log"))).isZero();
      Path runDir = home.resolve("runs/scan");
      int eval =
          run(
              moa(
                  home,
                  "eval",
                  "--dataset",
                  dataset.toString(),
                  "--config",
                  config.toString(),
                  "--out",
                  runDir.toString(),
                  "--run-id",
                  "scan",
                  "--progress",
                  "plain"),
              logs.resolve("eval.log"),
              Duration.ofMinutes(4));
      assertThat(eval)
          .as("eval exit code; see eval.log:\n" + read(logs.resolve("eval.log")))
          .isZero();
      assertThat(runDir.resolve("results.jsonl")).exists();
      assertThat(runDir.resolve("summary.json")).exists();
      assertThat(runDir.resolve("report.html")).exists();

      // 4. The key really travelled: the simulator counted calls under its fingerprint
      // (ask: 2 agents + aggregator; eval: 3 samples x 3 calls).
      Map<?, ?> byKey = JSON.readValue(get(simulatorRoot + "/v1/simulator/keys"), Map.class);
      Object calls = byKey.get(ApiKeyLedger.fingerprint(key));
      assertThat(calls)
          .as("calls the simulator received with the planted key: " + byKey)
          .isNotNull();
      assertThat(((Number) calls).longValue()).isGreaterThanOrEqualTo(12);

      // 5. Scan what the running stack serves: every topic, every metrics endpoint.
      KeyScanner scan = new KeyScanner(key);
      plantCanaryRecord(bootstrap);
      scan.scanKafka(bootstrap, Duration.ofMinutes(2));
      for (String url : serviceUrls) {
        scan.scanText(url + "/actuator/prometheus", get(url + "/actuator/prometheus"));
      }
      scan.scanText(simulatorRoot + "/metrics", get(simulatorRoot + "/metrics"));
      scan.scanText(
          simulatorRoot + "/v1/simulator/stats", get(simulatorRoot + "/v1/simulator/stats"));
      scan.scanText(
          simulatorRoot + "/v1/simulator/keys", get(simulatorRoot + "/v1/simulator/keys"));
      assertThat(scan.recordsPerTopic)
          .as("the scan read the pipeline's topics")
          .containsKeys("moa.requests", "moa.agent-tasks", "moa.answers", CANARY_TOPIC);
      // The one planted record header, and nothing else.
      assertThat(scan.findings)
          .as("the planted key in Kafka records or metrics")
          .containsExactly(new KeyScanner.Finding(canaryWhere(scan)));

      // 6. Stop the stack (its shutdown logs count too), then scan every log and state file.
      ChildProcesses.terminate(up, Duration.ofSeconds(90));
      KeyScanner files = new KeyScanner(key);
      files.scanTree(logs);
      files.scanTree(home); // broker data, orchestrator state, stack.json, eval reports
      // The canary record sits in the broker's segment files of its own topic: found there (the
      // file scan reads broker segments), and nowhere else.
      String canaryDir = CANARY_TOPIC + "-0";
      assertThat(files.findings.stream().filter(f -> !f.where().contains(canaryDir)).toList())
          .as("the planted key in logs, state or reports")
          .isEmpty();
      assertThat(files.findings.stream().filter(f -> f.where().contains(canaryDir)).toList())
          .as("the canary record in the broker's segment files")
          .isNotEmpty();
      assertThat(files.filesScanned).isGreaterThan(20);
      long logLines = 0;
      for (String name : List.of("up.log", "ask.log", "eval.log")) {
        logLines += Files.readAllLines(logs.resolve(name)).size();
      }
      assertThat(logLines).as("captured log lines").isGreaterThan(100);
      System.out.printf(
          "planted-key scan: %d records in %d topics, %d files (%d bytes), %d log lines,"
              + " %d metrics endpoints: 0 occurrences%n",
          scan.recordsScanned,
          scan.recordsPerTopic.size(),
          files.filesScanned,
          files.bytesScanned,
          logLines,
          serviceUrls.size() + 1);

      // 7. The scan finds the key when it is there: a file and a metrics text planted on purpose
      // (the record header was found above).
      Files.writeString(home.resolve("stack/planted-on-purpose.txt"), "x=" + key + "\n");
      KeyScanner again = new KeyScanner(key);
      again.scanTree(home.resolve("stack"));
      again.scanText("metrics text", "# HELP planted\nplanted{key=\"" + key + "\"} 1\n");
      assertThat(again.findings.stream().filter(f -> !f.where().contains(canaryDir)).toList())
          .containsExactlyInAnyOrder(
              new KeyScanner.Finding(home.resolve("stack/planted-on-purpose.txt").toString()),
              new KeyScanner.Finding("metrics text"));
    } finally {
      ChildProcesses.terminate(up, Duration.ofSeconds(30));
    }
  }

  private static final String CANARY_TOPIC = "moa.scan-canary";

  private void plantCanaryRecord(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(CANARY_TOPIC, 1, (short) 1))).all().get();
    }
    try (var producer =
        new KafkaProducer<byte[], byte[]>(
            Map.of("bootstrap.servers", bootstrap),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> r =
          new ProducerRecord<>(CANARY_TOPIC, "k".getBytes(), "v".getBytes());
      r.headers().add("planted", key.getBytes(StandardCharsets.UTF_8));
      producer.send(r).get();
    }
  }

  private static String canaryWhere(KeyScanner scan) {
    return CANARY_TOPIC + "-0@0 header planted";
  }

  private static String read(Path p) {
    try {
      String s = Files.readString(p);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (Exception e) {
      return "(unreadable: " + e + ")";
    }
  }
}
