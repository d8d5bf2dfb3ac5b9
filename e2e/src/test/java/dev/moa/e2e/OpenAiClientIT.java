package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.stack.LocalStack;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.SharedBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The unmodified {@code openai} npm client (orchestrator/src/test/node, package-lock.json) against
 * the real orchestrator, bound beyond loopback with its bearer token, on the real broker with real
 * agent workers, aggregator and the simulator over HTTP, serving {@code moa/workshop} from the
 * repository's configs/. It lives in cli because only cli may start all services together.
 */
class OpenAiClientIT {

  private static final String TOKEN_ENV = "MOA_TEST_API_TOKEN";
  private static final Path NODE_DIR = Path.of("..", "orchestrator", "src", "test", "node");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static Simulator sim;
  private static final List<ConfigurableApplicationContext> services = new ArrayList<>();
  private static JsonNode seen;

  @BeforeAll
  static void start() throws Exception {
    String token = System.getenv(TOKEN_ENV);
    assertThat(token).as(TOKEN_ENV + " (set by failsafe)").isNotBlank();
    KafkaSettings settings = SharedBroker.settingsWithTopics();
    sim =
        Simulator.start(
            SimulatorOptions.builder().defaultProfile(Profile.named("instant")).build());
    Path state = Files.createTempDirectory("openai-it");
    Map<String, String> orchestrator = new LinkedHashMap<>();
    orchestrator.put("server.address", "0.0.0.0");
    orchestrator.put("moa.orchestrator.api-token-env", TOKEN_ENV);
    // The repository's workshop.yaml as it is, beside a config whose every call fails (HTTP 404).
    Path configs = Files.createDirectories(state.resolve("configs"));
    Files.copy(Path.of("..", "configs", "workshop.yaml"), configs.resolve("workshop.yaml"));
    Files.writeString(
        configs.resolve("broken.yaml"),
        """
        providers:
          nowhere: {base_url: "%s"}
        layers: 1
        agents: [{name: lost, model: m, provider: nowhere, max_tokens: 16}]
        aggregator: {model: m, provider: nowhere, max_tokens: 16}
        """
            .formatted(sim.baseUrl().replace("/v1", "/missing/v1")));
    orchestrator.put("moa.orchestrator.configs-dir", configs.toString());
    orchestrator.put("moa.orchestrator.simulator-base-url", sim.baseUrl());
    orchestrator.put("moa.orchestrator.state-dir", state.toString());
    services.add(
        LocalStack.startService(
            LocalStack.SERVICES.get("orchestrator"), settings.bootstrap(), 0, orchestrator));
    for (String s : List.of("agent-worker", "aggregator")) {
      services.add(TestPipeline.inProcess(s, settings.bootstrap(), sim, state));
    }
    String port = services.get(0).getEnvironment().getProperty("local.server.port");
    seen = runClient("http://127.0.0.1:" + port + "/v1", token);
  }

  @AfterAll
  static void stop() {
    services.forEach(ConfigurableApplicationContext::close);
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void modelsListsTheConfigsAsMoaModels() {
    List<String> ids = new ArrayList<>();
    seen.get("models").forEach(m -> ids.add(m.get("id").stringValue()));
    assertThat(ids).containsExactly("moa/broken", "moa/workshop");
    JsonNode workshop = find(seen.get("models"), "moa/workshop");
    assertThat(workshop.get("object").stringValue()).isEqualTo("model");
    assertThat(workshop.get("owned_by").stringValue()).isEqualTo("moa");
    assertThat(seen.get("retrieved").stringValue()).isEqualTo("moa/workshop");
  }

  @Test
  void theClientStreamsTheAnswerAndReadsTheUsageOfAllCalls() {
    JsonNode s = seen.get("stream");
    assertThat(s.get("role").stringValue()).isEqualTo("assistant");
    assertThat(s.get("objects").toString()).isEqualTo("[\"chat.completion.chunk\"]");
    assertThat(s.get("ids")).hasSize(1);
    assertThat(s.get("ids").get(0).stringValue()).startsWith("chatcmpl-");
    assertThat(s.get("content_chunks").intValue()).isGreaterThan(1);
    assertThat(s.get("finish_reason").stringValue()).isEqualTo("stop");
    JsonNode moa = s.get("moa");
    // The streamed text is the committed answer, whole.
    assertThat(s.get("text").stringValue())
        .isNotBlank()
        .isEqualTo(moa.get("aggregator").get("text").stringValue());
    assertUsageIsEveryCall(s.get("usage"), moa, 3, 3);

    JsonNode helper = seen.get("helper");
    assertThat(helper.get("content").stringValue()).isNotBlank();
    assertThat(helper.get("finish_reason").stringValue()).isEqualTo("stop");
    assertThat(helper.get("usage").get("total_tokens").intValue()).isPositive();
  }

  @Test
  void aNonStreamCallReturnsOpenAisCompletionShape() {
    JsonNode c = seen.get("completion");
    assertThat(c.get("id").stringValue()).startsWith("chatcmpl-");
    assertThat(c.get("object").stringValue()).isEqualTo("chat.completion");
    long now = System.currentTimeMillis() / 1000;
    assertThat(c.get("created").longValue()).isBetween(now - 600, now + 5);
    assertThat(c.get("model").stringValue()).isEqualTo("moa/workshop");
    assertThat(c.get("choices")).hasSize(1);
    JsonNode choice = c.get("choices").get(0);
    assertThat(choice.get("index").intValue()).isZero();
    assertThat(choice.get("finish_reason").stringValue()).isEqualTo("stop");
    assertThat(choice.get("logprobs").isNull()).isTrue();
    assertThat(choice.get("message").get("role").stringValue()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").stringValue())
        .isNotBlank()
        .isEqualTo(c.get("moa").get("aggregator").get("text").stringValue());
    assertUsageIsEveryCall(c.get("usage"), c.get("moa"), 3, 3);
    assertThat(c.get("moa").get("simulated").booleanValue()).isTrue();
  }

  @Test
  void errorsArriveAsTheSdksTypedErrors() {
    JsonNode e = seen.get("errors");
    assertError(e.get("unknown_model"), "NotFoundError", 404, "model_not_found");
    assertThat(e.get("unknown_model").get("message").stringValue()).contains("moa/no-such-config");
    assertError(e.get("bad_messages"), "BadRequestError", 400, null);
    assertThat(e.get("bad_messages").get("param").stringValue()).isEqualTo("messages");
    assertError(e.get("wrong_key"), "AuthenticationError", 401, "invalid_api_key");
  }

  @Test
  void aFailedMoaIsAServerErrorWholeAndAnErrorEventStreamed() {
    JsonNode whole = seen.get("errors").get("failed_whole");
    assertThat(whole.get("thrown").booleanValue()).as(whole.toString()).isTrue();
    assertThat(whole.get("class").stringValue()).isEqualTo("InternalServerError");
    assertThat(whole.get("status").intValue()).isEqualTo(502);
    assertThat(whole.get("code").stringValue()).isEqualTo("moa_request_failed");
    assertThat(whole.get("message").stringValue()).contains("failed").contains("lost");
    JsonNode streamed = seen.get("errors").get("failed_stream");
    assertThat(streamed.get("thrown").booleanValue()).as(streamed.toString()).isTrue();
    assertThat(streamed.get("class").stringValue()).isEqualTo("APIError");
    assertThat(streamed.get("type").stringValue()).isEqualTo("server_error");
    assertThat(streamed.get("code").stringValue()).isEqualTo("moa_request_failed");
  }

  private static void assertError(JsonNode error, String sdkClass, int status, String code) {
    assertThat(error.get("thrown").booleanValue()).as(error.toString()).isTrue();
    assertThat(error.get("class").stringValue()).isEqualTo(sdkClass);
    assertThat(error.get("status").intValue()).isEqualTo(status);
    assertThat(error.get("type").stringValue()).isEqualTo("invalid_request_error");
    if (code != null) {
      assertThat(error.get("code").stringValue()).isEqualTo(code);
    }
  }

  /**
   * usage = the tokens of every agent of every layer plus the aggregator, as the moa object lists.
   */
  private static void assertUsageIsEveryCall(
      JsonNode usage, JsonNode moa, int layers, int agentsPerLayer) {
    assertThat(moa.get("layers")).hasSize(layers);
    long prompt = 0;
    long completion = 0;
    for (JsonNode layer : moa.get("layers")) {
      assertThat(layer.get("outputs")).hasSize(agentsPerLayer);
      for (JsonNode o : layer.get("outputs")) {
        assertThat(o.get("status").stringValue()).isEqualTo("succeeded");
        assertThat(o.get("text").stringValue()).isNotBlank();
        assertThat(o.get("name").stringValue()).isNotBlank();
        assertThat(o.get("model").stringValue()).isNotBlank();
        assertThat(o.has("latency_ms")).isTrue();
        prompt += o.get("prompt_tokens").longValue();
        completion += o.get("completion_tokens").longValue();
      }
    }
    prompt += moa.get("aggregator").get("prompt_tokens").longValue();
    completion += moa.get("aggregator").get("completion_tokens").longValue();
    assertThat(prompt).isPositive();
    assertThat(completion).isPositive();
    assertThat(usage.get("prompt_tokens").longValue()).isEqualTo(prompt);
    assertThat(usage.get("completion_tokens").longValue()).isEqualTo(completion);
    assertThat(usage.get("total_tokens").longValue()).isEqualTo(prompt + completion);
  }

  private static JsonNode find(JsonNode array, String id) {
    for (JsonNode n : array) {
      if (id.equals(n.get("id").stringValue())) {
        return n;
      }
    }
    throw new AssertionError(id + " not in " + array);
  }

  private static JsonNode runClient(String baseUrl, String token) throws Exception {
    installPackages();
    Path out = Files.createTempFile("openai-client", ".out");
    Path err = Files.createTempFile("openai-client", ".err");
    ProcessBuilder pb = new ProcessBuilder("node", "chat.mjs").directory(NODE_DIR.toFile());
    pb.environment().put("MOA_BASE_URL", baseUrl);
    pb.environment().put("MOA_API_KEY", token);
    pb.environment().put("MOA_MODEL", "moa/workshop");
    pb.environment().put("MOA_FAILING_MODEL", "moa/broken");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("node chat.mjs did not finish in 5 minutes");
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("node chat.mjs failed:\n" + stderr + stdout).isZero();
    JsonNode result = JSON.readTree(stdout);
    JsonNode s = result.get("stream");
    System.out.printf(
        "openai client: stream %d chunks (%d with content), usage %s; completion usage %s%n",
        s.get("chunks").intValue(),
        s.get("content_chunks").intValue(),
        s.get("usage"),
        result.get("completion").get("usage"));
    return result;
  }

  /** npm ci of the committed lock when node_modules is missing (bin/test does it too). */
  private static synchronized void installPackages() throws IOException, InterruptedException {
    if (Files.isDirectory(NODE_DIR.resolve("node_modules/openai"))) {
      return;
    }
    Process p =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
            .directory(NODE_DIR.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("npm ci in " + NODE_DIR + " failed:\n" + output).isZero();
  }
}
