package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.batch.RunsTopic;
import dev.moa.cli.Moa;
import dev.moa.cli.stack.LocalStack;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.testing.SharedBroker;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * The web console clicked through in Debian's Chromium by playwright-core
 * (orchestrator/src/test/playwright/console.spec.mjs) against the real stack: the shared KRaft
 * broker, the simulator over HTTP, every service, a finished {@code moa eval} run in the console's
 * runs dir, an interrupted one to resume, and a RUNNING run on moa.runs to cancel. It lives in cli
 * because only cli sees every service and the batch-run engine (a service never imports another).
 */
class ConsoleIT {

  private static final Path REPO = repoRoot();
  private static final Path PLAYWRIGHT = REPO.resolve("orchestrator/src/test/playwright");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static KafkaSettings settings;
  private static Simulator sim;
  private static Path work;
  private static final List<ConfigurableApplicationContext> services = new ArrayList<>();
  private static String orchestratorUrl;

  private static Path repoRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("orchestrator/src/test/playwright"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
  }

  @BeforeAll
  static void start() throws Exception {
    settings = SharedBroker.settingsWithTopics();
    sim =
        Simulator.start(
            SimulatorOptions.builder().defaultProfile(Profile.named("instant")).build());
    work = Files.createTempDirectory("console-it");
    Path configs = Files.createDirectories(work.resolve("configs"));
    // Every call on the simulator, whatever keys the environment holds.
    Files.writeString(
        configs.resolve("simulated.yaml"),
        TestPipeline.yaml(2, " {helper_response}").replace("name: it", "name: simulated"));
    Map<String, String> props = new LinkedHashMap<>();
    props.put("moa.orchestrator.simulator-base-url", sim.baseUrl());
    props.put("moa.orchestrator.state-dir", work.resolve("state").toString());
    props.put("moa.orchestrator.configs-dir", configs.toString());
    props.put("moa.orchestrator.console.runs-dir", work.resolve("runs").toString());
    props.put("moa.orchestrator.console.data-dir", work.resolve("console").toString());
    props.put("moa.grader-worker.judge.base-url", sim.baseUrl());
    props.put("moa.grader-worker.judge.model", "llama3.1-8b");
    for (var e : LocalStack.SERVICES.entrySet()) {
      ConfigurableApplicationContext ctx =
          LocalStack.startService(e.getValue(), settings.bootstrap(), 0, props);
      services.add(ctx);
      if (e.getKey().equals("orchestrator")) {
        orchestratorUrl =
            "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
      }
    }
  }

  @AfterAll
  static void stop() {
    services.forEach(ConfigurableApplicationContext::close);
    if (sim != null) {
      sim.close();
    }
  }

  /**
   * {@code moa eval} of demo.jsonl's first 3 samples into the console's runs dir; its exit code.
   */
  private static int evalThreeSamples(String runId) {
    return Moa.execute(
        TestPipeline.evalArgs(
            settings,
            sim,
            work.resolve("configs/simulated.yaml"),
            work.resolve("runs").resolve(runId),
            runId,
            "--dataset",
            REPO.resolve("datasets/demo.jsonl").toString(),
            "--limit",
            "3",
            "--progress",
            "none"));
  }

  @Test
  void everyConsolePageWorksInABrowserAgainstTheRealStack() throws Exception {
    String runId = "console-it-" + System.nanoTime();
    assertThat(evalThreeSamples(runId)).isZero();
    // An interrupted run: 3 samples evaluated, results.jsonl cut short to its first line (as if
    // the run had been killed), for the console to resume.
    String resumeRunId = "console-resume-" + System.nanoTime();
    Path resumeDir = work.resolve("runs").resolve(resumeRunId);
    assertThat(evalThreeSamples(resumeRunId)).isZero();
    Path resumeResults = resumeDir.resolve("results.jsonl");
    List<String> firstPass = Files.readAllLines(resumeResults);
    assertThat(firstPass).hasSize(3);
    Files.writeString(resumeResults, firstPass.get(0) + "\n");
    // A run whose driver is this test: RUNNING on moa.runs, for the console to cancel.
    String liveRunId = "console-live-" + System.nanoTime();
    RunsTopic.publish(
        settings,
        RunsTopic.state(liveRunId, RunStatus.RUNNING, "demo.jsonl", "simulated", 10, null));

    Path out = Files.createDirectories(work.resolve("screenshots"));
    ensurePackages();
    ProcessBuilder pb =
        new ProcessBuilder(find("NODE", "node"), "console.spec.mjs").directory(PLAYWRIGHT.toFile());
    pb.environment().put("BASE_URL", orchestratorUrl);
    pb.environment().put("CHROMIUM", System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    pb.environment().put("CONFIG", "simulated");
    pb.environment().put("RUN_ID", runId);
    pb.environment().put("LIVE_RUN_ID", liveRunId);
    pb.environment().put("RESUME_RUN_ID", resumeRunId);
    pb.environment().put("SEED_FILE", REPO.resolve("configs/seed-example.json").toString());
    pb.environment().put("OUT", out.toString());
    pb.redirectErrorStream(true);
    Path log = work.resolve("playwright.log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    boolean ended = p.waitFor(6, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(output);
    assertThat(ended).as("the Playwright script ended within 6 minutes:\n" + output).isTrue();
    assertThat(p.exitValue()).as(output + "\nscreenshots in " + out).isZero();
    assertThat(output).contains("all console steps passed");

    // What the clicks did, seen from outside the browser.
    assertThat(work.resolve("configs/simulated-edited.yaml")).exists();
    assertThat(Files.readString(work.resolve("configs/simulated-edited.yaml")))
        .contains("added_agent")
        .contains("max_tokens: 96");
    assertThat(work.resolve("configs/imported-seed.yaml")).exists();
    assertThat(Files.readAllLines(work.resolve("console/challenge-leaderboard.jsonl")))
        .hasSize(1)
        .allSatisfy(l -> assertThat(l).contains("\"config\":\"simulated-edited\""));
    // The resumed run, as moa eval --resume leaves it: every sample once, every one graded.
    List<String> resumed = Files.readAllLines(resumeResults);
    assertThat(resumed).hasSize(3).startsWith(firstPass.get(0));
    assertThat(resumed.stream().map(l -> JSON.readTree(l).path("id").asString()).distinct())
        .hasSize(3);
    assertThat(resumed)
        .allSatisfy(
            l ->
                assertThat(JSON.readTree(l).path("grade").path("max_score").asDouble())
                    .isPositive());
    JsonNode summary = JSON.readTree(Files.readString(resumeDir.resolve("summary.json")));
    assertThat(summary.path("run").path("status").asString()).isEqualTo("completed");
    assertThat(summary.path("counts").path("total").asInt()).isEqualTo(3);
    assertThat(RunsTopic.readAll(settings).get(resumeRunId).getStatus())
        .isEqualTo(RunStatus.FINISHED);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              RunState live = RunsTopic.readAll(settings).get(liveRunId);
              assertThat(live.getStatus()).isEqualTo(RunStatus.CANCELLED);
              assertThat(live.getReason()).isEqualTo("cancelled from the console");
            });
  }

  private static String find(String envVar, String command) {
    String given = System.getenv(envVar);
    if (given != null && !given.isBlank()) {
      return given;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, command);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError(
        command + " is needed for the console test: sudo apt-get install nodejs npm");
  }

  /** Installs playwright-core from the lock file when missing (bin/test does it too). */
  private static synchronized void ensurePackages() throws Exception {
    if (Files.isDirectory(PLAYWRIGHT.resolve("node_modules/playwright-core"))) {
      return;
    }
    Process p =
        new ProcessBuilder(find("NPM", "npm"), "ci", "--no-audit", "--no-fund")
            .directory(PLAYWRIGHT.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("npm ci in " + PLAYWRIGHT + ":\n" + output).isZero();
  }
}
