package dev.moa.orchestrator.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.orchestrator.OrchestratorApplication;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.testing.SharedBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

class IntakeIT {

  private static ConfigurableApplicationContext app;
  private static KafkaSettings settings;
  private static String base;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    settings = SharedBroker.settingsWithTopics();
    app =
        new SpringApplicationBuilder(OrchestratorApplication.class)
            .run(
                "--moa.kafka.bootstrap=" + settings.bootstrap(),
                "--server.port=0",
                "--moa.orchestrator.simulator-base-url=http://127.0.0.1:9/v1",
                "--moa.orchestrator.state-dir="
                    + Files.createTempDirectory("intake-it").toString());
    base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static HttpResponse<String> post(String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/requests"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acceptedRequestIsPublishedToTheRequestsTopicUnderItsId() throws Exception {
    HttpResponse<String> resp = post("{\"question\": \"What is MoA?\"}");
    assertThat(resp.statusCode()).isEqualTo(202);
    assertThat(resp.body()).contains("\"request_id\":\"req-").contains("\"simulated\":true");
    String id = resp.body().replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1");

    Map<String, Object> props = new HashMap<>(settings.consumer(null, true));
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
