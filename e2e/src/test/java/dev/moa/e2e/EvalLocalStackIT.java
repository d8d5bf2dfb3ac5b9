package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.Moa;
import dev.moa.cli.batch.BatchCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The default path a newcomer takes: {@code moa eval} with no cluster starts a private local stack
 * in the run directory. Killed with SIGKILL, it leaves no broker behind, and {@code --resume}
 * restarts that stack on the same data and finishes with every sample answered.
 */
class EvalLocalStackIT {

  @Test
  void aKilledEvalOnItsOwnStackResumesOnTheSameData(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    Path home = dir.resolve("moa-home");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx768m", "-cp", System.getProperty("java.class.path")));
    cmd.add(Moa.class.getName());
    cmd.addAll(
        List.of(
            "eval",
            "--limit",
            "12",
            "--simulator-profile",
            "gpu",
            "--max-in-flight",
            "3",
            "--out",
            out.toString(),
            "--run-id",
            "local-it",
            "--progress",
            "plain"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("MOA_HOME", home.toString());
    pb.environment().remove("CEREBRAS_API_KEY");
    Process child =
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    Path results = out.resolve("results.jsonl");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (System.nanoTime() < deadline
        && (!Files.exists(results) || Files.readAllLines(results).size() < 3)) {
      assertThat(child.isAlive()).as("eval still running; see child.log").isTrue();
      Thread.sleep(100);
    }
    // The eval's only child process by now is its broker's JVM.
    List<ProcessHandle> broker = child.descendants().filter(ProcessHandle::isAlive).toList();
    assertThat(broker).as("the private stack's broker").isNotEmpty();

    child.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    int before = Files.readAllLines(results).size();
    assertThat(before).isBetween(3, 11);
    long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (broker.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < stop) {
      Thread.sleep(200);
    }
    assertThat(broker).as("broker outlived the killed eval").noneMatch(ProcessHandle::isAlive);
    assertThat(out.resolve(BatchCommand.LOCAL_STACK_DIR)).isDirectory();

    int exit = Moa.execute("eval", "--resume", out.toString(), "--progress", "plain");

    assertThat(exit).isZero();
    JsonMapper json = JsonMapper.builder().build();
    List<String> lines = Files.readAllLines(results);
    assertThat(lines).hasSize(12);
    assertThat(lines.stream().map(l -> json.readTree(l).path("id").asString()).distinct())
        .hasSize(12);
    JsonNode summary = json.readTree(Files.readString(out.resolve("summary.json")));
    assertThat(summary.path("counts").path("answered").asInt()).isEqualTo(12);
    assertThat(summary.path("counts").path("failed").asInt())
        .as("samples in flight at the kill still reach the same simulator after the resume")
        .isZero();
    assertThat(out.resolve(BatchCommand.LOCAL_STACK_DIR))
        .as("the private stack's data is removed once the run ends")
        .doesNotExist();
  }
}
