package dev.moa.cli.batch;

import static dev.moa.cli.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code moa sweep}'s help and its input errors, which come before any broker is needed. */
class SweepCommandTest {

  @TempDir Path dir;

  /** {@code moa sweep} of the demo dataset over {@code space}, writing into {@code dir/out}. */
  private CommandRun sweep(Path space) {
    return run(
        "sweep",
        "--dataset",
        "../datasets/demo.jsonl",
        "--space",
        space.toString(),
        "--out",
        dir.resolve("out").toString());
  }

  @Test
  void helpExplainsTheSpaceFormat() {
    CommandRun r = run("sweep", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("Usage: moa sweep", "--space", "--resume", "strategy: grid", "dimensions:")
        .contains("aggregator_model", "Pareto front", "seed");
    assertThat(run("--help").out()).contains("sweep");
  }

  @Test
  void aNewSweepNeedsADatasetAndASpace() {
    CommandRun noDataset = run("sweep", "--space", "../configs/sweeps/demo-space.yaml");
    assertThat(noDataset.code()).isEqualTo(2);
    assertThat(noDataset.err()).contains("--dataset FILE is required");
    CommandRun noSpace = run("sweep", "--dataset", "../datasets/demo.jsonl");
    assertThat(noSpace.code()).isEqualTo(2);
    assertThat(noSpace.err()).contains("--space FILE is required");
    CommandRun missing = sweep(dir.resolve("nope.yaml"));
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--space: no such file: " + dir.resolve("nope.yaml"));
  }

  @Test
  void everySpaceErrorIsOnOneLineWithFieldPathAndValueBeforeAnythingStarts() throws Exception {
    Path space = dir.resolve("space.yaml");
    Files.writeString(
        space, "strategy: random\ncount: 2\ndimensions: {temperature: [0.1, 2.5], layer: [1]}\n");

    CommandRun r = sweep(space);

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

    CommandRun r = sweep(space);

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(space + ": configuration c02 (agents=1): min_successes: 2");
  }
}
