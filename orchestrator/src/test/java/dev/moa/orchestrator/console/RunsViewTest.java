package dev.moa.orchestrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsViewTest {

  @TempDir Path runs;

  static {
    dev.moa.protocol.serde.AvroTrust.install();
  }

  private static RunState running(String id, int total, int graded) {
    return RunState.newBuilder()
        .setRunId(id)
        .setStatus(RunStatus.RUNNING)
        .setDataset("demo.jsonl")
        .setConfigName("workshop")
        .setTotal(total)
        .setGraded(graded)
        .setCreatedAtMs(2000)
        .setUpdatedAtMs(2500)
        .build();
  }

  private void runDir(String id, boolean withSummary) throws Exception {
    Path d = Files.createDirectories(runs.resolve(id));
    Files.writeString(
        d.resolve("run.json"),
        "{\"runId\": \"" + id + "\", \"configName\": \"fast\", \"createdAtMs\": 1000}");
    Files.writeString(
        d.resolve("results.jsonl"),
        """
        {"id": "s1", "status": "graded", "grade": {"grader": "exact", "status": "ok", "score": 1, "max_score": 1}, "usage": {"prompt_tokens": 10, "completion_tokens": 5}, "latency_ms": 40, "errors": [], "answer": "Paris"}
        {"id": "s2", "status": "failed", "grade": null, "usage": {"prompt_tokens": 0, "completion_tokens": 0}, "latency_ms": 0, "errors": ["timeout"]}
        {"id": "s3", "sta""");
    if (withSummary) {
      Files.writeString(
          d.resolve("summary.json"),
          "{\"run\": {\"status\": \"completed\"}, \"counts\": {\"total\": 2, \"graded\": 1,"
              + " \"failed\": 1}, \"mean_score\": 0.5, \"accuracy\": 0.5}");
    }
  }

  @Test
  void liveStatesAndRunDirectoriesAreJoinedNewestFirst() throws Exception {
    runDir("old", true);
    runDir("live", false);
    RunsView view =
        new RunsView(runs, () -> List.of(running("live", 10, 4), running("elsewhere", 3, 0)));

    var list = view.list();

    assertThat(list)
        .extracting(n -> n.path("run_id").asString())
        .containsExactlyInAnyOrder("live", "elsewhere", "old");
    var live =
        list.stream()
            .filter(n -> n.path("run_id").asString().equals("live"))
            .findFirst()
            .orElseThrow();
    assertThat(live.path("status").asString()).isEqualTo("running");
    assertThat(live.path("graded").asInt()).isEqualTo(4);
    assertThat(live.path("has_dir").asBoolean()).isTrue();
    assertThat(live.path("dir").asString())
        .isEqualTo(runs.resolve("live").toAbsolutePath().toString());
    var old =
        list.stream()
            .filter(n -> n.path("run_id").asString().equals("old"))
            .findFirst()
            .orElseThrow();
    assertThat(old.path("status").asString()).isEqualTo("completed");
    assertThat(old.path("mean_score").asDouble()).isEqualTo(0.5);
    assertThat(list.get(list.size() - 1).path("run_id").asString()).isEqualTo("old");
  }

  @Test
  void anEndedRunShowsItsSummarysStatusAndARunningOneStaysRunning() throws Exception {
    runDir("done", true);
    runDir("again", true);
    RunState finished =
        RunState.newBuilder(running("done", 2, 2)).setStatus(RunStatus.FINISHED).build();
    RunsView view = new RunsView(runs, () -> List.of(finished, running("again", 2, 0)));

    var byId = new java.util.HashMap<String, String>();
    view.list().forEach(n -> byId.put(n.path("run_id").asString(), n.path("status").asString()));

    assertThat(byId).containsEntry("done", "completed").containsEntry("again", "running");
  }

  @Test
  void aRunsDetailHasOneRowPerWrittenSampleAndTheFullLineOnDrillDown() throws Exception {
    runDir("r1", true);
    RunsView view = new RunsView(runs, List::of);

    var detail = view.detail("r1").orElseThrow();

    assertThat(detail.path("samples")).hasSize(2);
    assertThat(detail.path("samples").get(0).path("prompt_tokens").asLong()).isEqualTo(10);
    assertThat(detail.path("samples").get(1).path("errors").asInt()).isEqualTo(1);
    assertThat(detail.path("summary").path("accuracy").asDouble()).isEqualTo(0.5);
    assertThat(view.sample("r1", "s1").orElseThrow().path("answer").asString()).isEqualTo("Paris");
    assertThat(view.sample("r1", "nope")).isEmpty();
  }

  @Test
  void unknownOrPathLikeRunIdsFindNothing() throws Exception {
    runDir("r1", false);
    RunsView view = new RunsView(runs.resolve("r1"), List::of);
    assertThat(view.detail("..")).isEmpty();
    assertThat(new RunsView(runs, List::of).detail("../r1")).isEmpty();
    assertThat(new RunsView(runs, List::of).detail("missing")).isEmpty();
  }

  private void evalRun(String id, String stack) throws Exception {
    runDir(id, true);
    Files.writeString(
        runs.resolve(id).resolve("run.json"),
        "{\"runId\": \""
            + id
            + "\", \"kind\": \"eval\", \"stack\": \""
            + stack
            + "\", \"createdAtMs\": 1000}");
  }

  @Test
  void anEvalRunWithSamplesMissingAResultIsResumableUnlessItsDriverIsAlive() throws Exception {
    evalRun("cut", "bootstrap");
    evalRun("whole", "bootstrap");
    evalRun("own-stack", "local");
    evalRun("alive", "bootstrap");
    evalRun("killed", "bootstrap");
    RunState cut = RunState.newBuilder(running("cut", 3, 3)).setStatus(RunStatus.FINISHED).build();
    RunState whole =
        RunState.newBuilder(running("whole", 2, 2)).setStatus(RunStatus.FINISHED).build();
    RunState ownStack =
        RunState.newBuilder(running("own-stack", 3, 3)).setStatus(RunStatus.FINISHED).build();
    // The clock stands at 20 s: "alive" was updated 2 s ago, "killed" 18 s ago.
    RunState alive = RunState.newBuilder(running("alive", 3, 1)).setUpdatedAtMs(18_000).build();
    RunState killed = running("killed", 3, 1);
    RunsView view =
        new RunsView(
            runs,
            () -> List.of(cut, whole, ownStack, alive, killed),
            java.time.Clock.fixed(
                java.time.Instant.ofEpochMilli(20_000), java.time.ZoneOffset.UTC));

    var resumable = new java.util.HashMap<String, Boolean>();
    view.list()
        .forEach(n -> resumable.put(n.path("run_id").asString(), n.path("resumable").asBoolean()));

    assertThat(resumable)
        .containsEntry("cut", true)
        .containsEntry("whole", false)
        .containsEntry("own-stack", false)
        .containsEntry("alive", false)
        .containsEntry("killed", true);
    assertThat(view.detail("cut").orElseThrow().path("run").path("results").asInt()).isEqualTo(2);
  }
}
