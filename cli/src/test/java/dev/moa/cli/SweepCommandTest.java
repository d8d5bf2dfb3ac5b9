package dev.moa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code moa sweep}'s help and its input errors, which come before any broker is needed. */
class SweepCommandTest {

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Moa.execute(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void helpExplainsTheSpaceFormat() {
    Run r = run("sweep", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("Usage: moa sweep", "--space", "--resume", "strategy: grid", "dimensions:")
        .contains("aggregator_model", "Pareto front", "seed");
    assertThat(run("--help").out()).contains("sweep");
  }

  @Test
  void aNewSweepNeedsADatasetAndASpace() {
    Run noDataset = run("sweep", "--space", "../configs/sweeps/demo-space.yaml");
    assertThat(noDataset.code()).isEqualTo(2);
    assertThat(noDataset.err()).contains("--dataset FILE is required");
    Run noSpace = run("sweep", "--dataset", "../datasets/demo.jsonl");
    assertThat(noSpace.code()).isEqualTo(2);
    assertThat(noSpace.err()).contains("--space FILE is required");
    Run missing =
        run(
            "sweep",
            "--dataset",
            "../datasets/demo.jsonl",
            "--space",
            dir.resolve("nope.yaml").toString(),
            "--out",
            dir.resolve("out").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--space: no such file: " + dir.resolve("nope.yaml"));
  }

  @Test
  void everySpaceErrorIsOnOneLineWithFieldPathAndValueBeforeAnythingStarts() throws Exception {
    Path space = dir.resolve("space.yaml");
    Files.writeString(
        space, "strategy: random\ncount: 2\ndimensions: {temperature: [0.1, 2.5], layer: [1]}\n");

    Run r =
        run(
            "sweep",
            "--dataset",
            "../datasets/demo.jsonl",
            "--space",
            space.toString(),
            "--out",
            dir.resolve("out").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err())
        .contains(space + ": dimensions.temperature[1]: 2.5 is outside 0..2")
        .contains(space + ": dimensions.layer: unknown dimension");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void aBaseConfigErrorNamesTheConfigurationAndItsChoices() throws Exception {
    Path base = dir.resolve("base.yaml");
    Files.writeString(
        base,
        """
        layers: 1
        min_successes: 2
        agents:
          - {name: a, model: m, provider: simulator}
          - {name: b, model: m, provider: simulator}
        aggregator: {model: g, provider: simulator}
        """);
    Path space = dir.resolve("space.yaml");
    Files.writeString(space, "base: base.yaml\ndimensions: {agents: [2, 1]}\n");

    Run r =
        run(
            "sweep",
            "--dataset",
            "../datasets/demo.jsonl",
            "--space",
            space.toString(),
            "--out",
            dir.resolve("out").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(space + ": configuration c02 (agents=1): min_successes: 2");
  }
}
