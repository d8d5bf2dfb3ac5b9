package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.moa.cli.CommandRun;
import dev.moa.cli.Moa;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Simulator;
import dev.moa.testing.SharedBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sweeps end to end: the real broker, every service in this JVM, the simulator over HTTP, the
 * shipped demo space over the demo dataset, and a resume.
 */
class SweepIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Path DEMO_DATASET = Path.of("..", "datasets", "demo.jsonl");
  private static final Path DEMO_SPACE = Path.of("..", "configs", "sweeps", "demo-space.yaml");

  private static KafkaSettings settings;
  private static TestPipeline.InProcessStack stack;
  private static Simulator sim;

  @BeforeAll
  static void start() throws Exception {
    // The demo space varies configs/workshop.yaml, whose provider is Cerebras when its key is set.
    assumeTrue(System.getenv("CEREBRAS_API_KEY") == null, "CEREBRAS_API_KEY set: real calls");
    settings = SharedBroker.settingsWithTopics();
    stack = TestPipeline.InProcessStack.start(settings.bootstrap(), "sweep-it");
    sim = stack.sim();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static int sweep(ByteArrayOutputStream out, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "sweep",
                "--bootstrap",
                settings.bootstrap(),
                "--simulator-url",
                sim.baseUrl(),
                "--progress",
                "plain"));
    all.addAll(List.of(args));
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      return Moa.execute(all.toArray(String[]::new));
    } finally {
      System.setOut(old);
      System.out.print(out.toString(StandardCharsets.UTF_8));
    }
  }

  private static JsonNode json(Path file) throws Exception {
    return JSON.readTree(Files.readString(file));
  }

  @Test
  void theDemoSpaceRunsEightConfigurationsAndReportsTheirParetoFront(@TempDir Path dir)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        sweep(
            out,
            "--dataset",
            DEMO_DATASET.toString(),
            "--space",
            DEMO_SPACE.toString(),
            "--limit",
            "3",
            "--out",
            dir.toString(),
            "--run-id",
            "sweep-it-demo");

    assertThat(exit).isZero();
    JsonNode sweep = json(dir.resolve("sweep.json"));
    assertThat(sweep.path("sweep").asString()).isEqualTo("demo-sweep");
    assertThat(sweep.path("samples_per_configuration").asInt()).isEqualTo(3);
    JsonNode configs = sweep.path("configurations");
    assertThat(configs).hasSize(8);
    // Every sample of every configuration went through the pipeline and was graded.
    List<String> ids = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("results.jsonl"))) {
      if (!line.isBlank()) {
        JsonNode l = JSON.readTree(line);
        ids.add(l.path("id").asString());
        assertThat(l.path("grade").path("status").asString()).as(line).isEqualTo("GRADED");
      }
    }
    assertThat(ids).hasSize(24).doesNotHaveDuplicates();
    for (JsonNode c : configs) {
      assertThat(c.path("answered").asInt()).as(c.toString()).isEqualTo(3);
      assertThat(c.path("failed").asInt()).as(c.toString()).isZero();
      assertThat(c.path("tokens_per_sample").asDouble()).as(c.toString()).isPositive();
      assertThat(c.path("latency_p50_ms").isNumber()).as(c.toString()).isTrue();
      assertThat(dir.resolve(c.path("report").asString())).isRegularFile();
      assertThat(dir.resolve(c.path("config").asString())).isRegularFile();
    }
    // Each configuration's requests carried its own config: more layers and agents, more calls.
    JsonNode small = byChoices(configs, "1", "1", "0.1");
    JsonNode big = byChoices(configs, "2", "3", "0.1");
    assertThat(big.path("tokens_per_sample").asDouble())
        .isGreaterThan(2 * small.path("tokens_per_sample").asDouble());
    JsonNode bigLine =
        JSON.readTree(
            Files.readAllLines(dir.resolve("results.jsonl")).stream()
                .filter(l -> l.contains("\"id\":\"" + big.path("id").asString() + "/"))
                .findFirst()
                .orElseThrow());
    assertThat(bigLine.path("layers")).hasSize(2);
    assertThat(bigLine.path("layers").get(1).path("agents")).hasSize(3);

    // The front: not empty, and exactly the configurations no other one dominates.
    Set<String> front = new java.util.HashSet<>();
    sweep.path("pareto_front").forEach(f -> front.add(f.asString()));
    assertThat(front).isNotEmpty();
    for (JsonNode c : configs) {
      boolean dominated = false;
      for (JsonNode o : configs) {
        dominated |= dominates(o, c);
      }
      assertThat(front.contains(c.path("id").asString())).as(c.toString()).isEqualTo(!dominated);
      assertThat(c.path("pareto").asBoolean()).isEqualTo(!dominated);
    }
    String html = Files.readString(dir.resolve("report.html"));
    assertThat(html).contains("Pareto front").contains("★");
    if (front.size() > 1) {
      assertThat(html).contains("<polyline class=\"front\"");
    }
    for (String id : front) {
      assertThat(html).contains("<tr class=\"front\"><td>★</td><td>" + id + "</td>");
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("pareto front: " + String.join(", ", sortedFront(sweep)));
  }

  @Test
  void anInterruptedSweepResumesFromItsDirectoryWithTheSameConfigurations(@TempDir Path tmp)
      throws Exception {
    Path space = tmp.resolve("space.yaml");
    Files.writeString(
        space,
        """
        name: resume-sweep
        base: %s
        strategy: random
        count: 3
        seed: 11
        dimensions: {agents: [1, 2, 3], temperature: [0.2, 0.4, 0.6]}
        """
            .formatted(DEMO_SPACE.toAbsolutePath().getParent().resolve("../workshop.yaml")));
    Path dir = tmp.resolve("run");
    int exit =
        sweep(
            new ByteArrayOutputStream(),
            "--dataset",
            DEMO_DATASET.toString(),
            "--space",
            space.toString(),
            "--limit",
            "2",
            "--out",
            dir.toString(),
            "--run-id",
            "sweep-it-resume");
    assertThat(exit).isZero();
    JsonNode before = json(dir.resolve("sweep.json"));
    // As if killed half way: the journal keeps 2 of 6 lines and the outputs are gone.
    List<String> lines = Files.readAllLines(dir.resolve("results.jsonl"));
    assertThat(lines).hasSize(6);
    Files.write(dir.resolve("results.jsonl"), lines.subList(0, 2));
    Files.delete(dir.resolve("sweep.json"));
    Files.writeString(space, "this space changed: resume must not read it");

    exit = Moa.execute("sweep", "--resume", dir.toString(), "--progress", "plain");

    assertThat(exit).isZero();
    JsonNode after = json(dir.resolve("sweep.json"));
    assertThat(after.path("seed").asLong()).isEqualTo(11);
    assertThat(ids(after)).isEqualTo(ids(before));
    assertThat(after.path("configurations").findValues("choices"))
        .isEqualTo(before.path("configurations").findValues("choices"));
    assertThat(after.path("configurations").findValues("answered").stream().map(JsonNode::asInt))
        .containsOnly(2);
    assertThat(Files.readAllLines(dir.resolve("results.jsonl"))).hasSize(6);
  }

  @Test
  void aBadSpaceNamesTheFieldAndValueAndStartsNothing(@TempDir Path tmp) throws Exception {
    Path space = tmp.resolve("bad.yaml");
    Files.writeString(space, "dimensions:\n  temperature: [0.1, 9]\n  agents: [0]\n");
    CommandRun r =
        CommandRun.run(
            "sweep",
            "--bootstrap",
            settings.bootstrap(),
            "--dataset",
            DEMO_DATASET.toString(),
            "--space",
            space.toString(),
            "--out",
            tmp.resolve("out").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(space + ": dimensions.temperature[1]: 9 is outside 0..2")
        .contains(space + ": dimensions.agents[0]: 0 is not a whole number in 1..64");
    assertThat(tmp.resolve("out").resolve("run.json")).doesNotExist();
  }

  private static List<String> ids(JsonNode sweep) {
    List<String> out = new ArrayList<>();
    sweep.path("configurations").forEach(c -> out.add(c.path("id").asString()));
    return out;
  }

  private static List<String> sortedFront(JsonNode sweep) {
    List<String> out = new ArrayList<>();
    sweep.path("pareto_front").forEach(f -> out.add(f.asString()));
    return out;
  }

  private static JsonNode byChoices(JsonNode configs, String layers, String agents, String t) {
    for (JsonNode c : configs) {
      JsonNode ch = c.path("choices");
      if (ch.path("layers").asString().equals(layers)
          && ch.path("agents").asString().equals(agents)
          && ch.path("temperature").asString().equals(t)) {
        return c;
      }
    }
    throw new AssertionError("no configuration with " + layers + "/" + agents + "/" + t);
  }

  private static boolean dominates(JsonNode a, JsonNode b) {
    double sa = a.path("score").asDouble();
    double sb = b.path("score").asDouble();
    double ta = a.path("tokens_per_sample").asDouble();
    double tb = b.path("tokens_per_sample").asDouble();
    long la = a.path("latency_p50_ms").asLong();
    long lb = b.path("latency_p50_ms").asLong();
    return sa >= sb && ta <= tb && la <= lb && (sa > sb || ta < tb || la < lb);
  }
}
