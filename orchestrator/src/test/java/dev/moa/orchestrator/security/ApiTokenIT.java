package dev.moa.orchestrator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.orchestrator.OrchestratorApplication;
import dev.moa.testing.PipelineKit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The orchestrator bound beyond loopback (0.0.0.0; the test still calls it on 127.0.0.1): the API
 * needs the bearer token from MOA_TEST_API_TOKEN (set by failsafe in this module's pom).
 */
@ExtendWith(OutputCaptureExtension.class)
class ApiTokenIT {

  private static final String TOKEN_ENV = "MOA_TEST_API_TOKEN";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
  // HTTP/1.1 as the server speaks: no h2c upgrade attempt on each new connection.
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  private static ConfigurableApplicationContext app;
  private static String base;
  private static String token;

  @BeforeAll
  static void start() throws Exception {
    token = System.getenv(TOKEN_ENV);
    assertThat(token).as(TOKEN_ENV + " (set by failsafe)").isNotBlank();
    app = orchestrator(TOKEN_ENV);
    base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  private static ConfigurableApplicationContext orchestrator(String tokenEnv) throws Exception {
    return kit.service(
        OrchestratorApplication.class,
        "--server.address=0.0.0.0",
        "--moa.orchestrator.api-token-env=" + tokenEnv,
        "--moa.orchestrator.simulator-base-url=http://127.0.0.1:9/v1",
        // Even at DEBUG the filter logs the verdict, never the header.
        "--logging.level.dev.moa=DEBUG",
        "--logging.level.org.springframework.web=DEBUG",
        "--moa.orchestrator.state-dir=" + Files.createTempDirectory("token-it"));
  }

  private static HttpResponse<String> post(String authorization) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/v1/requests"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"question\": \"token?\"}"));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).timeout(CALL_TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withoutOrWithAWrongTokenTheApiAnswers401JsonAndWithTheTokenItAccepts(CapturedOutput output)
      throws Exception {
    HttpResponse<String> none = post(null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    assertThat(none.body()).contains("\"error\":\"missing Authorization header");

    HttpResponse<String> wrong = post("Bearer " + token + "-not");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).isEqualTo("{\"error\":\"invalid bearer token\"}");

    HttpResponse<String> basic = post("Basic " + token);
    assertThat(basic.statusCode()).isEqualTo(401);

    HttpResponse<String> ok = post("Bearer " + token);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
    assertThat(ok.body()).contains("\"request_id\":\"req-");

    assertThat(output.getAll()).contains("bearer token required (from " + TOKEN_ENV + ")");
    assertThat(output.getAll()).doesNotContain(token);
  }

  @Test
  void probesAndPrometheusStayOpenSoTheKubeletAndPrometheusNeedNoToken() throws Exception {
    assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
    assertThat(get("/actuator/health/liveness").statusCode()).isIn(200, 404);
    HttpResponse<String> prom = get("/actuator/prometheus");
    assertThat(prom.statusCode()).isEqualTo(200);
    assertThat(prom.body()).contains("# TYPE").doesNotContain(token);
    assertThat(get("/v1/anything").statusCode()).isEqualTo(401);
  }

  @Test
  void theConsolePagesLoadWithoutATokenButTheirApiNeedsIt() throws Exception {
    HttpResponse<String> index = get("/console/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("<title>MoA console</title>").doesNotContain(token);
    assertThat(get("/console/console.js").body()).contains("Authorization");
    HttpResponse<String> redirect = get("/console");
    assertThat(redirect.statusCode()).isEqualTo(308);
    assertThat(redirect.headers().firstValue("Location")).hasValue("/console/");

    assertThat(get("/api/configs").statusCode()).isEqualTo(401);
    assertThat(get("/console/../api/configs").statusCode()).isIn(400, 401, 404);
    HttpResponse<String> withToken =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/configs"))
                .timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
    assertThat(withToken.body()).contains("\"configs\"");
  }

  @Test
  void boundBeyondLoopbackWithoutTheTokenVariableItRefusesToStart() {
    assertThatThrownBy(() -> orchestrator("MOA_TEST_UNSET_TOKEN").close())
        .rootCause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server.address is '0.0.0.0', not loopback")
        .hasMessageContaining("MOA_TEST_UNSET_TOKEN is not set");
  }

  @Test
  void closingAnotherServiceInTheSameJvmLeavesThisOneServing() throws Exception {
    orchestrator(TOKEN_ENV).close();
    // The other context disposed its own event loops only; with Reactor Netty's JVM-wide ones
    // (Spring Boot's default) this server refused every connection from here on (decision 042).
    assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
    assertThat(post("Bearer " + token).statusCode()).isEqualTo(202);
  }
}
