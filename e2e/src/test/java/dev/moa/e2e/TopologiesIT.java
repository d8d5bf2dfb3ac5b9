package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.moa.cli.Moa;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Simulator;
import dev.moa.testing.SharedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The shipped topology configs end to end: the real broker, every service in this JVM, the
 * simulator over HTTP (its critic's verdicts come from the same hash as its text, so they repeat
 * run after run), driven by {@code moa eval}; the loops are read back from results.jsonl and
 * report.html.
 */
class TopologiesIT {

  private static final Path CONFIGS = Path.of("..", "configs");

  private static KafkaSettings settings;
  private static TestPipeline.InProcessStack stack;
  private static Simulator sim;

  @BeforeAll
  static void start() throws Exception {
    // The shipped configs use cerebras with simulate_without_key: with a key they would call it.
    assumeTrue(System.getenv("CEREBRAS_API_KEY") == null, "CEREBRAS_API_KEY is set");
    settings = SharedBroker.settingsWithTopics();
    stack = TestPipeline.InProcessStack.start(settings.bootstrap(), "topologies-it");
    sim = stack.sim();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static Path dataset(Path dir, int samples) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < samples; i++) {
      sb.append("{\"id\": \"q")
          .append(i)
          .append("\", \"input\": \"Plan a day trip number ")
          .append(i)
          .append(" for two friends\", \"target\": \"x\", \"grader\": {\"type\": \"exact\"}}\n");
    }
    Files.createDirectories(dir);
    Path file = dir.resolve("plans.jsonl");
    Files.writeString(file, sb.toString());
    return file;
  }

  private static List<JsonNode> eval(Path dir, String runId, Path config, int samples)
      throws Exception {
    int exit =
        Moa.execute(
            TestPipeline.evalArgs(
                settings,
                sim,
                config,
                dir.resolve("out"),
                runId,
                "--dataset",
                dataset(dir, samples).toString(),
                "--progress",
                "none"));
    assertThat(exit).isZero();
    List<JsonNode> lines = TestPipeline.results(dir.resolve("out"));
    assertThat(lines).hasSize(samples);
    assertThat(lines).allMatch(l -> l.path("status").asString().equals("SUCCEEDED"));
    return lines;
  }

  @Test
  void plannerCriticLoopsBackOnRejectionUpToTwiceAndTheReportShowsEveryRound(@TempDir Path dir)
      throws Exception {
    List<JsonNode> lines = eval(dir, "critic-it", CONFIGS.resolve("planner-critic.yaml"), 8);

    int looped = 0;
    int acceptedAfterRejection = 0;
    int acceptedAtOnce = 0;
    for (JsonNode line : lines) {
      JsonNode passes = line.path("layers");
      // Passes alternate proposals (layer 1, 8 planners) and critic (layer 2), round by round.
      int rounds = passes.size() / 2;
      assertThat(passes.size()).as(line.path("id").asString()).isEven().isBetween(2, 6);
      for (int r = 0; r < rounds; r++) {
        JsonNode planners = passes.get(2 * r);
        JsonNode critic = passes.get(2 * r + 1);
        assertThat(planners.path("layer").asInt()).isEqualTo(1);
        assertThat(planners.path("round").asInt()).isEqualTo(r);
        assertThat(planners.path("agents")).hasSize(8);
        assertThat(critic.path("layer").asInt()).isEqualTo(2);
        assertThat(critic.path("round").asInt()).isEqualTo(r);
        String verdict = critic.path("verdict").asString();
        assertThat(verdict).isIn("ACCEPT", "REJECT");
        assertThat(critic.path("agents").get(0).path("content").asString())
            .endsWith("Verdict: " + verdict);
        boolean last = r == rounds - 1;
        // A rejection with retries left always leads to another round; the loop ends otherwise.
        assertThat(verdict.equals("REJECT") && r < 2).isEqualTo(!last);
      }
      String finalVerdict = passes.get(passes.size() - 1).path("verdict").asString();
      looped += rounds > 1 ? 1 : 0;
      acceptedAfterRejection += rounds > 1 && finalVerdict.equals("ACCEPT") ? 1 : 0;
      acceptedAtOnce += rounds == 1 ? 1 : 0;
      assertThat(line.path("aggregator").path("agent").asString()).isEqualTo("aggregator");
    }
    System.out.printf(
        "planner-critic: %d samples, %d accepted in round 0, %d accepted later, %d out of"
            + " retries%n",
        lines.size(),
        acceptedAtOnce,
        acceptedAfterRejection,
        lines.size() - acceptedAtOnce - acceptedAfterRejection);
    assertThat(looped).as("samples whose critic rejected at least once").isPositive();
    assertThat(acceptedAfterRejection).as("samples accepted in a later round").isPositive();
    assertThat(acceptedAtOnce).as("samples accepted in round 0").isPositive();
    String report = Files.readString(dir.resolve("out").resolve("report.html"));
    assertThat(report)
        .contains("<h3>Loop</h3>")
        .contains("layer 2 · round 0 · critic: <b>REJECT</b>")
        .contains("layer 1 · round 1");
  }

  @Test
  void selfMoaSamplesOneModelSixTimesWithDistinctSeededAnswers(@TempDir Path dir) throws Exception {
    List<JsonNode> lines = eval(dir, "self-moa-it", CONFIGS.resolve("self-moa.yaml"), 3);

    for (JsonNode line : lines) {
      JsonNode layers = line.path("layers");
      assertThat(layers).hasSize(1);
      JsonNode samples = layers.get(0).path("agents");
      assertThat(samples).hasSize(6);
      Set<String> contents = new HashSet<>();
      for (int k = 0; k < 6; k++) {
        assertThat(samples.get(k).path("agent").asString()).isEqualTo("sample-" + (k + 1));
        assertThat(samples.get(k).path("model").asString()).isEqualTo("llama-3.3-70b");
        contents.add(samples.get(k).path("content").asString());
      }
      assertThat(contents).as("each sample has its own seed").hasSize(6);
      assertThat(line.path("answer").asString()).contains("[simulated model llama-3.3-70b]");
    }
  }

  @Test
  void voteAndBestOfNAnswerWithOneOfTheCandidates(@TempDir Path dir) throws Exception {
    String selfMoa = Files.readString(CONFIGS.resolve("self-moa.yaml"));
    String aggregator =
        selfMoa.substring(selfMoa.indexOf("\naggregator:"), selfMoa.indexOf("\nmin_successes"));
    Path vote = dir.resolve("vote.yaml");
    Files.writeString(
        vote,
        selfMoa
            .replace("name: self-moa", "name: vote")
            .replace(aggregator, "\naggregator: {mode: vote}\n"));
    Path best = dir.resolve("best.yaml");
    Files.writeString(
        best,
        selfMoa
            .replace("name: self-moa", "name: best")
            .replace(aggregator, "\naggregator: {mode: best_of_n, model: llama-3.3-70b}\n"));

    for (JsonNode line : eval(dir.resolve("vote"), "vote-it", vote, 2)) {
      JsonNode agg = line.path("aggregator");
      assertThat(agg.path("model").asString()).isEqualTo("vote");
      assertThat(agg.path("prompt_tokens").asInt()).as("no model call").isZero();
      assertThat(agg.path("verdict").asString()).startsWith("vote: ");
      assertThat(contents(line)).contains(line.path("answer").asString());
    }
    for (JsonNode line : eval(dir.resolve("best"), "best-it", best, 2)) {
      JsonNode agg = line.path("aggregator");
      assertThat(agg.path("verdict").asString()).matches("BEST [1-6]");
      int pick = Integer.parseInt(agg.path("verdict").asString().substring(5));
      assertThat(agg.path("content").asString()).endsWith("Best: " + pick);
      assertThat(line.path("answer").asString()).isEqualTo(contents(line).get(pick - 1));
    }
  }

  private static List<String> contents(JsonNode line) {
    List<String> out = new ArrayList<>();
    line.path("layers").get(0).path("agents").forEach(a -> out.add(a.path("content").asString()));
    return out;
  }
}
