package dev.moa.orchestrator.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.orchestrator.OrchestratorApplication;
import dev.moa.testing.PipelineKit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI endpoints' refusals on the real orchestrator (no workers needed: nothing here reaches
 * a model): every error in OpenAI's shape, the guards' included. OpenAiClientIT (cli) runs the
 * answers themselves through the openai npm client.
 */
class OpenAiEndpointIT {

  // HTTP/1.1 as the server speaks: no h2c upgrade attempt on each new connection.
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  private static ConfigurableApplicationContext app;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    Path configs = Files.createTempDirectory("openai-endpoint-it");
    Files.writeString(
        configs.resolve("tiny.yaml"),
        "layers: 1\nagents: [{name: a, model: m, provider: simulator}]\n"
            + "aggregator: {model: m, provider: simulator}\n");
    Files.writeString(configs.resolve("invalid.yaml"), "layers: 0\n");
    Files.writeString(configs.resolve("README.md"), "not a config");
    app =
        kit.service(
            OrchestratorApplication.class,
            "--server.address=127.0.0.1",
            "--moa.orchestrator.configs-dir=" + configs,
            "--moa.orchestrator.max-body-bytes=4096",
            "--moa.orchestrator.max-prompt-bytes=100",
            "--moa.orchestrator.simulator-base-url=http://127.0.0.1:9/v1",
            "--moa.orchestrator.state-dir=" + Files.createTempDirectory("openai-endpoint-state"));
    base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode error(HttpResponse<String> r) {
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error).as(r.body()).isNotNull();
    assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code"))
        .as(r.body())
        .isTrue();
    return error;
  }

  @Test
  void modelsAreTheValidlyNamedYamlFiles() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("object").stringValue()).isEqualTo("list");
    assertThat(body.get("data").toString())
        .contains("\"id\":\"moa/invalid\"")
        .contains("\"id\":\"moa/tiny\"")
        .doesNotContain("README");
  }

  @Test
  void anUnknownModelIs404ModelNotFound() throws Exception {
    HttpResponse<String> r =
        post("{\"model\":\"moa/nope\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r).get("code").stringValue()).isEqualTo("model_not_found");
    HttpResponse<String> one =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/models/moa%2Fnope")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(one.statusCode()).isEqualTo(404);
    assertThat(error(one).get("code").stringValue()).isEqualTo("model_not_found");
  }

  @Test
  void anInvalidConfigFileIs500NamingTheFileAndField() throws Exception {
    HttpResponse<String> r =
        post("{\"model\":\"moa/invalid\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");

    assertThat(r.statusCode()).isEqualTo(500);
    JsonNode error = error(r);
    assertThat(error.get("type").stringValue()).isEqualTo("server_error");
    assertThat(error.get("message").stringValue()).contains("invalid.yaml").contains("layers");
  }

  @Test
  void aBadBodyIs400WithTheParam() throws Exception {
    HttpResponse<String> r = post("{\"model\":\"moa/tiny\",\"messages\":[]}");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = error(r);
    assertThat(error.get("type").stringValue()).isEqualTo("invalid_request_error");
    assertThat(error.get("param").stringValue()).isEqualTo("messages");
  }

  @Test
  void limitsAre413InOpenAisShapeFromTheGuardAndFromThePromptCheck() throws Exception {
    HttpResponse<String> body =
        post("{\"model\":\"moa/tiny\",\"pad\":\"" + "x".repeat(5000) + "\"}");
    assertThat(body.statusCode()).isEqualTo(413);
    assertThat(error(body).get("code").stringValue()).isEqualTo("request_too_large");

    HttpResponse<String> prompt =
        post(
            "{\"model\":\"moa/tiny\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "y".repeat(200)
                + "\"}]}");
    assertThat(prompt.statusCode()).isEqualTo(413);
    assertThat(error(prompt).get("message").stringValue()).contains("100");
  }
}
