package dev.moa.orchestrator.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.orchestrator.OrchestratorApplication;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.testing.PipelineKit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

class IntakeIT {

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  private static ConfigurableApplicationContext app;
  private static String base;
  // HTTP/1.1 as the server speaks: no h2c upgrade attempt on each new connection.
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    app =
        kit.service(
            OrchestratorApplication.class,
            "--moa.orchestrator.simulator-base-url=http://127.0.0.1:9/v1",
            // Small limits so the corpus' oversized bodies stay small.
            "--moa.orchestrator.max-body-bytes=65536",
            "--moa.orchestrator.max-prompt-bytes=16384",
            "--moa.orchestrator.max-messages=20",
            "--moa.orchestrator.state-dir=" + Files.createTempDirectory("intake-it").toString());
    base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  private static HttpResponse<String> post(String json) throws Exception {
    return post(json.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  private static HttpResponse<String> post(byte[] body, String contentType) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/requests"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<MoaRequest> requestsOnTopic(
      java.util.function.Predicate<List<MoaRequest>> until) {
    Map<String, Object> props = new HashMap<>(kit.settings().consumer(null, true));
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < Topics.REQUESTS.partitions(); p++) {
        parts.add(new TopicPartition(Topics.REQUESTS.name(), p));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      List<MoaRequest> seen = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                  if (!"poison".equals(r.key())) {
                    try {
                      seen.add(Serdes.REQUEST.fromBytes(r.value()));
                    } catch (RuntimeException e) {
                      // another IT's deliberate poison record
                    }
                  }
                }
                return until.test(seen);
              });
      return seen;
    }
  }

  /** A row of corpus/http-bodies/expected.tsv. */
  record CorpusEntry(String file, String contentType, int status, String errorContains) {}

  static List<CorpusEntry> corpus() throws Exception {
    List<CorpusEntry> out = new ArrayList<>();
    for (String line :
        Files.readAllLines(Path.of("src/test/resources/corpus/http-bodies/expected.tsv"))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t");
      out.add(new CorpusEntry(f[0], f[1], Integer.parseInt(f[2]), f[3]));
    }
    return out;
  }

  static byte[] body(String file) throws Exception {
    return switch (file) {
      case "GEN:prompt-over-limit" ->
          ("{\"question\": \"" + "x".repeat(16385) + "\"}").getBytes(StandardCharsets.UTF_8);
      case "GEN:too-many-messages" -> {
        StringBuilder b = new StringBuilder("{\"messages\": [");
        for (int i = 0; i < 21; i++) {
          b.append(i == 0 ? "" : ",").append("{\"role\": \"user\", \"content\": \"m\"}");
        }
        yield b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
      }
      case "GEN:body-over-limit" ->
          ("{\"question\": \"q\", \"config\": \"" + "#".repeat(70_000) + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      default -> Files.readAllBytes(Path.of("src/test/resources/corpus/http-bodies", file));
    };
  }

  @Test
  void everyMalformedBodyOfTheCorpusIsAClear4xxJsonErrorAndGoodRequestsStillGetThrough()
      throws Exception {
    List<CorpusEntry> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(10);
    List<String> goodIds = new ArrayList<>();
    var json = tools.jackson.databind.json.JsonMapper.builder().build();
    var soft = new org.assertj.core.api.SoftAssertions();
    for (CorpusEntry e : corpus) {
      HttpResponse<String> bad;
      try {
        bad = post(body(e.file()), e.contentType());
      } catch (java.io.IOException io) {
        throw new AssertionError("posting " + e.file() + ": " + io, io);
      }
      soft.assertThat(bad.statusCode()).as(e.file() + ": " + bad.body()).isEqualTo(e.status());
      soft.assertThat(bad.headers().firstValue("Content-Type").orElse(""))
          .as(e.file())
          .startsWith("application/json");
      // The unread rest of a refused body must not stall the next request on this connection.
      if (body(e.file()).length > 0) {
        soft.assertThat(bad.headers().firstValue("Connection").orElse(""))
            .as(e.file() + ": Connection header")
            .isEqualToIgnoringCase("close");
      }
      String error = json.readTree(bad.body()).path("error").asString();
      soft.assertThat(error).as(e.file()).contains(e.errorContains());

      HttpResponse<String> good;
      try {
        good = post("{\"question\": \"after " + e.file() + "\"}");
      } catch (java.io.IOException io) {
        throw new AssertionError("posting the good request after " + e.file() + ": " + io, io);
      }
      assertThat(good.statusCode()).as("good request after " + e.file()).isEqualTo(202);
      goodIds.add(json.readTree(good.body()).path("request_id").asString());
    }
    soft.assertAll();
    // Every good request reached Kafka; no bad one did.
    List<MoaRequest> seen =
        requestsOnTopic(
            s -> s.stream().map(MoaRequest::getRequestId).toList().containsAll(goodIds));
    for (MoaRequest r : seen) {
      String content = r.getMessages().get(0).getContent();
      assertThat(content).doesNotStartWith("xxxx").isNotEqualTo("q");
    }
  }

  @Test
  void anUnknownPathIsA404JsonError() throws Exception {
    HttpResponse<String> resp =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/nothing-here"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(404);
    assertThat(resp.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(resp.body()).contains("\"error\"").doesNotContain("body:");
  }

  @Test
  void aChunkedBodyOverTheLimitIsA413Too() throws Exception {
    byte[] big = body("GEN:body-over-limit");
    // No Content-Length: the decoder's buffer limit catches it, not the header check.
    HttpResponse<String> resp =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/requests"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(413);
    assertThat(resp.body()).contains("\"error\"").contains("65536 bytes");
  }

  @Test
  void acceptedRequestIsPublishedToTheRequestsTopicUnderItsId() throws Exception {
    HttpResponse<String> resp = post("{\"question\": \"What is MoA?\"}");
    assertThat(resp.statusCode()).isEqualTo(202);
    assertThat(resp.body()).contains("\"request_id\":\"req-").contains("\"simulated\":true");
    String id = resp.body().replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1");

    Map<String, Object> props = new HashMap<>(kit.settings().consumer(null, true));
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < Topics.REQUESTS.partitions(); p++) {
        parts.add(new TopicPartition(Topics.REQUESTS.name(), p));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      List<MoaRequest> seen = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(r -> seen.add(Serdes.REQUEST.fromBytes(r.value())));
                return seen.stream().anyMatch(m -> m.getRequestId().equals(id));
              });
      MoaRequest request =
          seen.stream().filter(m -> m.getRequestId().equals(id)).findFirst().orElseThrow();
      assertThat(request.getMessages().get(0).getContent()).isEqualTo("What is MoA?");
      assertThat(request.getConfig().getName()).isEqualTo("workshop");
    }
  }

  @Test
  void badBodyIsA400NamingTheProblem() throws Exception {
    HttpResponse<String> resp =
        post("{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}");
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(resp.body()).contains("messages[0].role");
  }

  @Test
  void healthAndPrometheusEndpointsAnswer() throws Exception {
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    HttpResponse<String> prom =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(prom.statusCode()).isEqualTo(200);
    assertThat(prom.body()).contains("# TYPE");
  }
}
