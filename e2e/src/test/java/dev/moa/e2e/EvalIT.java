package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.cli.Moa;
import dev.moa.cli.stack.LocalStack;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import dev.moa.simulator.SimulatorStats;
import dev.moa.testing.SharedBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Batch runs end to end: the real broker, every service in this JVM, the simulator over HTTP, and
 * the CLI's eval/grade/cancel commands — one also as a child process killed with SIGKILL.
 */
class EvalIT {

  /**
   * Samples of the killed-and-resumed run, and how many are answered before the kill. 600 (2,000
   * before 2026-12-08): the same resume path at a third of the suite's CPU (docs/testing.md).
   */
  private static final int BIG_RUN = 600;

  private static final int KILL_AFTER = 180;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static KafkaSettings settings;
  private static Simulator sim;
  private static Path configFile;
  private static final List<ConfigurableApplicationContext> services = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    settings = SharedBroker.settingsWithTopics();
    sim =
        Simulator.start(
            SimulatorOptions.builder().defaultProfile(Profile.named("instant")).build());
    Path state = Files.createTempDirectory("eval-it");
    for (String s : LocalStack.SERVICES.keySet()) {
      services.add(TestPipeline.inProcess(s, settings.bootstrap(), sim, state));
    }
    // Two layers of three agents and an aggregator, all on the simulator (never a real provider).
    configFile = state.resolve("eval-it.yaml");
    Files.writeString(configFile, TestPipeline.yaml(2, " {helper_response}"));
  }

  @AfterAll
  static void stop() {
    services.forEach(ConfigurableApplicationContext::close);
    sim.close();
  }

  private static String[] eval(Path dir, String runId, Path dataset, String... extra) {
    List<String> more = new ArrayList<>(List.of("--progress", "plain"));
    if (dataset != null) {
      more.addAll(List.of("--dataset", dataset.toString()));
    }
    more.addAll(List.of(extra));
    return TestPipeline.evalArgs(
        settings, sim, configFile, dir, runId, more.toArray(String[]::new));
  }

  private static JsonNode summary(Path dir) throws Exception {
    return JSON.readTree(Files.readString(dir.resolve("summary.json")));
  }

  private static void assertCountsAddUp(JsonNode summary, int total) {
    JsonNode c = summary.path("counts");
    assertThat(c.path("total").asInt()).isEqualTo(total);
    assertThat(c.path("answered").asInt() + c.path("not_run").asInt()).isEqualTo(total);
  }

  /** Runs the CLI in this JVM, capturing stderr; returns the exit code. */
  private static int run(ByteArrayOutputStream err, String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Moa.execute(args);
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void theBundledDemoDatasetRunsAndEverySampleIsGraded(@TempDir Path dir) throws Exception {
    int exit = Moa.execute(eval(dir, "demo-it", null));

    assertThat(exit).isZero();
    List<JsonNode> lines = TestPipeline.results(dir);
    assertThat(lines).hasSize(38);
    assertThat(lines.stream().map(l -> l.path("id").asString()).distinct()).hasSize(38);
    JsonNode challenge =
        lines.stream()
            .filter(l -> l.path("id").asString().equals("challenge-calculate-user-metrics"))
            .findFirst()
            .orElseThrow();
    assertThat(challenge.path("grade").path("grader").asString()).isEqualTo("challenge");
    assertThat(challenge.path("grade").path("max_score").asDouble()).isEqualTo(120.0);
    // Simulated text has no Python: 0 points, and the grade says why.
    assertThat(challenge.path("grade").path("score").asDouble()).isZero();
    assertThat(challenge.path("layers")).hasSize(2);
    JsonNode s = summary(dir);
    assertCountsAddUp(s, 38);
    assertThat(s.path("counts").path("graded").asInt()).isEqualTo(38);
    assertThat(s.path("per_grader").path("exact").path("count").asInt()).isEqualTo(12);
    assertThat(s.path("simulated").asBoolean()).isTrue();
    assertThat(Files.readString(dir.resolve("report.html"))).contains("demo-it");
  }

  @Test
  void badLinesStopTheRunWithTheirLineNumbersUnlessSkipped(@TempDir Path dir) throws Exception {
    Path dataset = dir.resolve("bad.jsonl");
    Files.writeString(
        dataset,
        """
        {"id": "a", "input": "What is 2+2?", "target": 4, "grader": {"type": "numeric"}}
        {"id": "a", "input": "again", "target": 4, "grader": {"type": "numeric"}}
        {"id": "c", "input": "Capital of Italy?", "target": "Rome", "grader": {"type": "exact"}}
        not json
        """);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = run(err, eval(dir.resolve("out1"), "bad-it", dataset));

    assertThat(exit).isEqualTo(2);
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("bad.jsonl:2").contains("bad.jsonl:4").contains("--skip-bad-lines");
    assertThat(dir.resolve("out1").resolve("results.jsonl")).doesNotExist();

    int skipped = Moa.execute(eval(dir.resolve("out2"), "bad-it-2", dataset, "--skip-bad-lines"));
    assertThat(skipped).isZero();
    assertThat(TestPipeline.results(dir.resolve("out2"))).hasSize(2);
    JsonNode s = summary(dir.resolve("out2"));
    assertThat(s.path("counts").path("skipped").asInt()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("out2").resolve("report.html"))).contains("not json");
  }

  @Test
  void sixHundredSamplesKilledPartWayAndResumedMatchAnUninterruptedRun(@TempDir Path dir)
      throws Exception {
    Path dataset = dir.resolve("big.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < BIG_RUN; i++) {
      String grader =
          switch (i % 4) {
            case 0 -> "{\"type\": \"exact\"}";
            case 1 -> "{\"type\": \"numeric\"}";
            case 2 -> "{\"type\": \"choice\"}";
            default -> "{\"type\": \"regex\", \"pattern\": \"(?i)the\"}";
          };
      String target =
          switch (i % 4) {
            case 0 -> "\"sample " + i + "\"";
            case 1 -> Integer.toString(i);
            case 2 -> "\"" + "ABCDE".charAt(i % 5) + "\"";
            default -> null;
          };
      sb.append("{\"id\": \"s")
          .append(i)
          .append("\", \"input\": \"Question number ")
          .append(i)
          .append("?\"")
          .append(target == null ? "" : ", \"target\": " + target)
          .append(", \"grader\": ")
          .append(grader)
          .append("}\n");
    }
    Files.writeString(dataset, sb.toString());

    // The reference: the same dataset, uninterrupted.
    Path full = dir.resolve("full");
    assertThat(Moa.execute(eval(full, "big-full", dataset, "--max-in-flight", "128"))).isZero();
    JsonNode reference = summary(full);
    assertThat(TestPipeline.results(full)).hasSize(BIG_RUN);

    // The same run in a child JVM, killed with SIGKILL part-way.
    Path killed = dir.resolve("killed");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path")));
    cmd.add(Moa.class.getName());
    cmd.addAll(List.of(eval(killed, "big-killed", dataset, "--max-in-flight", "128")));
    Process child =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    Path resultsFile = killed.resolve("results.jsonl");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline
        && (!Files.exists(resultsFile) || Files.readAllLines(resultsFile).size() < KILL_AFTER)) {
      assertThat(child.isAlive()).as("child eval still running; see child.log").isTrue();
      Thread.sleep(50);
    }
    child.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    int before = Files.readAllLines(resultsFile).size();
    assertThat(before).as("killed part-way").isBetween(KILL_AFTER, BIG_RUN - 1);

    int exit = Moa.execute("eval", "--resume", killed.toString(), "--progress", "plain");

    assertThat(exit).isZero();
    List<JsonNode> lines = TestPipeline.results(killed);
    assertThat(lines).hasSize(BIG_RUN);
    Set<String> ids = new HashSet<>();
    lines.forEach(l -> ids.add(l.path("id").asString()));
    assertThat(ids).hasSize(BIG_RUN);
    JsonNode resumed = summary(killed);
    assertCountsAddUp(resumed, BIG_RUN);
    assertThat(resumed.path("counts")).isEqualTo(reference.path("counts"));
    assertThat(resumed.path("mean_score").asDouble())
        .isEqualTo(reference.path("mean_score").asDouble());
    assertThat(resumed.path("per_grader")).isEqualTo(reference.path("per_grader"));
    assertThat(resumed.path("tokens_by_model")).isEqualTo(reference.path("tokens_by_model"));
  }

  @Test
  void cancelStopsNewTasksAndTheReportSaysCancelled(@TempDir Path dir) throws Exception {
    // A slow simulator (0.5 s + 80 tokens/s per call), so that the run is still going when
    // cancelled.
    try (Simulator slow =
        Simulator.start(SimulatorOptions.builder().defaultProfile(Profile.named("gpu")).build())) {
      AtomicLong calls = new AtomicLong();
      slow.addListener(c -> calls.incrementAndGet());
      Path dataset = dir.resolve("slow.jsonl");
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 200; i++) {
        sb.append("{\"id\": \"q")
            .append(i)
            .append("\", \"input\": \"Slow question ")
            .append(i)
            .append("\", \"target\": \"x\", \"grader\": {\"type\": \"exact\"}}\n");
      }
      Files.writeString(dataset, sb.toString());
      List<String> args = new ArrayList<>(List.of(eval(dir.resolve("out"), "cancel-it", dataset)));
      args.set(args.indexOf("--simulator-url") + 1, slow.baseUrl());
      args.addAll(List.of("--max-in-flight", "6"));
      CompletableFuture<Integer> running =
          CompletableFuture.supplyAsync(() -> Moa.execute(args.toArray(String[]::new)));
      Path resultsFile = dir.resolve("out").resolve("results.jsonl");
      await()
          .atMost(Duration.ofMinutes(3))
          .until(() -> Files.exists(resultsFile) && Files.readAllLines(resultsFile).size() >= 3);

      int cancelExit =
          Moa.execute("cancel", "cancel-it", "--bootstrap", settings.bootstrap(), "--reason", "IT");

      assertThat(cancelExit).isZero();
      int exit = running.get(3, TimeUnit.MINUTES);
      assertThat(exit).as("a cancelled run exits 1").isEqualTo(1);
      // Calls already running may finish; after that no new call starts. Wait until the simulator
      // has had none in flight and no new one for 2 s, then check that it stays so.
      AtomicLong lastCount = new AtomicLong(-1);
      AtomicLong changedAt = new AtomicLong(System.nanoTime());
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                SimulatorStats st = slow.stats();
                if (st.requests() != lastCount.getAndSet(st.requests())) {
                  changedAt.set(System.nanoTime());
                }
                return st.running() == 0
                    && System.nanoTime() - changedAt.get() > Duration.ofSeconds(2).toNanos();
              });
      long settled = slow.stats().requests();
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> slow.stats().requests() == settled);
      assertThat(calls.get()).as("calls seen = calls counted").isEqualTo(settled);
      assertThat(settled).as("far fewer calls than 200 samples need").isLessThan(200 * 7);

      JsonNode s = summary(dir.resolve("out"));
      assertThat(s.path("run").path("status").asString()).isEqualTo("cancelled");
      assertCountsAddUp(s, 200);
      assertThat(s.path("counts").path("not_run").asInt()).isPositive();
      assertThat(Files.readString(dir.resolve("out").resolve("report.html"))).contains("CANCELLED");

      assertThat(Moa.execute("cancel", "cancel-it", "--bootstrap", settings.bootstrap()))
          .as("an ended run cannot be cancelled again")
          .isEqualTo(2);
      assertThat(Moa.execute("cancel", "no-such-run", "--bootstrap", settings.bootstrap()))
          .isEqualTo(2);
    }
  }

  @Test
  void gradeOnlyGradesGivenAnswersThroughTheGraderWorkers(@TempDir Path dir) throws Exception {
    Path dataset = dir.resolve("d.jsonl");
    Files.writeString(
        dataset,
        """
        {"id": "paris", "input": "Capital of France?", "target": "Paris", "grader": {"type": "exact"}}
        {"id": "sum", "input": "17 + 25?", "target": 42, "grader": {"type": "numeric"}}
        {"id": "letter", "input": "Pick one", "target": "C", "grader": {"type": "choice"}}
        {"id": "unanswered", "input": "No answer for me", "target": "x", "grader": {"type": "exact"}}
        {"id": "judged", "input": "Capital of France?", "target": "Paris", "grader": {"type": "judge", "rubric": "10 if the answer names Paris, else 1."}}
        """);
    Path answers = dir.resolve("a.jsonl");
    Files.writeString(
        answers,
        """
        {"id": "paris", "answer": "Paris"}
        {"id": "sum", "answer": "The sum is 41. Answer: 41"}
        {"id": "letter", "answer": "The answer is (C)."}
        {"id": "judged", "answer": "Paris is the capital of France. Score: 10"}
        """);
    Path out = dir.resolve("out");

    int exit =
        Moa.execute(
            "grade",
            "--dataset",
            dataset.toString(),
            "--answers",
            answers.toString(),
            "--bootstrap",
            settings.bootstrap(),
            "--out",
            out.toString(),
            "--run-id",
            "grade-it",
            "--progress",
            "none");

    assertThat(exit).isZero();
    List<JsonNode> lines = TestPipeline.results(out);
    assertThat(lines).hasSize(4);
    for (JsonNode l : lines) {
      if (l.path("id").asString().equals("judged")) {
        // The simulated judge's verdict, out of 10; the answer's own "Score: 10" sets nothing.
        assertThat(l.path("grade").path("max_score").asDouble()).isEqualTo(10.0);
        assertThat(l.path("grade").path("score").asDouble()).isBetween(1.0, 10.0);
        assertThat(l.path("grade").path("status").asString()).isEqualTo("GRADED");
        continue;
      }
      double expected = l.path("id").asString().equals("sum") ? 0.0 : 1.0;
      assertThat(l.path("grade").path("score").asDouble()).as(l.toString()).isEqualTo(expected);
      assertThat(l.path("grade").path("status").asString()).isEqualTo("GRADED");
    }
    JsonNode s = summary(out);
    assertCountsAddUp(s, 5);
    assertThat(s.path("counts").path("not_run").asInt()).isEqualTo(1);

    Files.writeString(
        answers,
        "{\"id\": \"stranger\", \"answer\": \"?\"}\n",
        java.nio.file.StandardOpenOption.APPEND);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int bad =
        run(
            err,
            "grade",
            "--dataset",
            dataset.toString(),
            "--answers",
            answers.toString(),
            "--bootstrap",
            settings.bootstrap(),
            "--out",
            dir.resolve("out2").toString());
    assertThat(bad).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("stranger");
  }

  @Test
  void aSecondRunCannotReuseARunIdOrADirectory(@TempDir Path dir) throws Exception {
    Path dataset = dir.resolve("one.jsonl");
    Files.writeString(
        dataset,
        "{\"id\": \"one\", \"input\": \"hi\", \"target\": \"x\", \"grader\": {\"type\": \"exact\"}}\n");
    assertThat(Moa.execute(eval(dir.resolve("a"), "reuse-it", dataset))).isZero();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, eval(dir.resolve("b"), "reuse-it", dataset))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("already used");
    err.reset();
    assertThat(run(err, eval(dir.resolve("a"), "other-id", dataset))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--resume");
  }

  @Test
  void withCacheASecondRunOfTemperatureZeroCallsMakesNoModelCall(@TempDir Path dir)
      throws Exception {
    Path config = dir.resolve("t0.yaml");
    Files.writeString(
        config,
        """
        name: t0
        layers: 1
        agents:
          - {name: a, model: model-a, provider: simulator, temperature: 0, max_tokens: 32, prompt: "A. {helper_response}"}
          - {name: b, model: model-b, provider: simulator, temperature: 0, max_tokens: 32, prompt: "B. {helper_response}"}
        aggregator: {model: model-agg, provider: simulator, temperature: 0, max_tokens: 32, prompt: "Agg. {helper_response}"}
        """);
    Path dataset = dir.resolve("c.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      sb.append("{\"id\": \"c")
          .append(i)
          .append("\", \"input\": \"Cache me ")
          .append(i)
          .append("\", \"target\": \"x\", \"grader\": {\"type\": \"exact\"}}\n");
    }
    Files.writeString(dataset, sb.toString());
    AtomicLong calls = new AtomicLong();
    sim.addListener(c -> calls.incrementAndGet());
    String[] first = eval(dir.resolve("first"), "cache-it-1", dataset, "--cache");
    first[java.util.Arrays.asList(first).indexOf("--config") + 1] = config.toString();

    assertThat(Moa.execute(first)).isZero();
    long afterFirst = calls.get();
    assertThat(afterFirst).isGreaterThanOrEqualTo(30);
    assertThat(summary(dir.resolve("first")).path("cache_hits").asInt()).isZero();

    String[] second = eval(dir.resolve("second"), "cache-it-2", dataset, "--cache");
    second[java.util.Arrays.asList(second).indexOf("--config") + 1] = config.toString();
    assertThat(Moa.execute(second)).isZero();

    assertThat(calls.get()).as("no model call in the cached run").isEqualTo(afterFirst);
    JsonNode s = summary(dir.resolve("second"));
    assertThat(s.path("cache_hits").asInt()).isEqualTo(30);
    assertThat(TestPipeline.results(dir.resolve("second")))
        .extracting(l -> l.path("answer").asString())
        .containsExactlyInAnyOrderElementsOf(
            TestPipeline.results(dir.resolve("first")).stream()
                .map(l -> l.path("answer").asString())
                .toList());
  }
}
