package dev.moa.orchestrator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunSamplesTest {

  static RunState run(String id, RunStatus status, long updatedAt) {
    return RunState.newBuilder()
        .setRunId(id)
        .setStatus(status)
        .setTotal(10)
        .setSubmitted(8)
        .setAnswered(6)
        .setGraded(4)
        .setFailed(1)
        .setUpdatedAtMs(updatedAt)
        .build();
  }

  @Test
  void pendingIsWhatIsNeitherGradedNorFailed() {
    assertThat(RunSamples.of(run("a", RunStatus.RUNNING, 0)))
        .containsEntry("total", 10L)
        .containsEntry("submitted", 8L)
        .containsEntry("answered", 6L)
        .containsEntry("graded", 4L)
        .containsEntry("failed", 1L)
        .containsEntry("pending", 5L);
  }

  @Test
  void pendingNeverGoesBelowZero() {
    RunState odd = RunState.newBuilder(run("a", RunStatus.RUNNING, 0)).setTotal(3).build();
    assertThat(RunSamples.of(odd)).containsEntry("pending", 0L);
  }

  @Test
  void endedRunsAreShownForAnHourAfterTheirLastUpdate() {
    long hour = Duration.ofHours(1).toMillis();
    assertThat(RunSamples.shown(run("a", RunStatus.RUNNING, 0), 10 * hour, RunSamples.KEEP_ENDED))
        .isTrue();
    assertThat(RunSamples.shown(run("a", RunStatus.FINISHED, 0), hour - 1, RunSamples.KEEP_ENDED))
        .isTrue();
    assertThat(RunSamples.shown(run("a", RunStatus.CANCELLED, 0), hour, RunSamples.KEEP_ENDED))
        .isFalse();
  }

  @Test
  void gaugesFollowTheRunsAndDropEvictedOnes() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OrchestratorMetrics metrics = new OrchestratorMetrics(registry);
    long hour = Duration.ofHours(1).toMillis();

    metrics.updateRuns(
        List.of(run("a", RunStatus.RUNNING, 0), run("b", RunStatus.FINISHED, 0)), hour / 2);
    assertThat(
            registry.get("moa.run.samples").tag("run", "b").tag("state", "pending").gauge().value())
        .isEqualTo(5);
    assertThat(registry.find("moa.run.samples").gauges()).hasSize(12);

    metrics.updateRuns(
        List.of(run("a", RunStatus.RUNNING, 0), run("b", RunStatus.FINISHED, 0)), 2 * hour);
    assertThat(registry.find("moa.run.samples").tag("run", "b").gauges()).isEmpty();
    assertThat(registry.find("moa.run.samples").tag("run", "a").gauges()).hasSize(6);
  }
}
