package dev.moa.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cancelling against an in-memory moa.runs: what is published, and when nothing is. */
class RunCancellationTest {

  private static final Instant NOW = Instant.parse("2026-11-29T06:45:00Z");

  private final Map<String, RunState> runs = new HashMap<>();
  private final List<RunState> published = new ArrayList<>();
  private final RunCancellation cancellation =
      new RunCancellation(runs::get, published::add, Clock.fixed(NOW, ZoneOffset.UTC));

  private void given(String runId, RunStatus status) {
    RunState state = RunsTopic.state(runId, status, "gsm8k", "workshop", 40, null);
    state.setCreatedAtMs(1_000L);
    state.setUpdatedAtMs(2_000L);
    runs.put(runId, state);
  }

  @Test
  void aRunningRunIsPublishedCancelledWithTheReasonAndTheTime() {
    given("r1", RunStatus.RUNNING);

    RunCancellation.Result result = cancellation.cancel("r1", "cancelled by the user");

    assertThat(result).isInstanceOf(RunCancellation.Cancelled.class);
    RunState cancelled = ((RunCancellation.Cancelled) result).state();
    assertThat(published).containsExactly(cancelled);
    assertThat(cancelled.getRunId()).isEqualTo("r1");
    assertThat(cancelled.getStatus()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelled.getReason()).isEqualTo("cancelled by the user");
    assertThat(cancelled.getUpdatedAtMs()).isEqualTo(NOW.toEpochMilli());
    // The rest of the run's state is kept.
    assertThat(cancelled.getDataset()).isEqualTo("gsm8k");
    assertThat(cancelled.getConfigName()).isEqualTo("workshop");
    assertThat(cancelled.getTotal()).isEqualTo(40);
    assertThat(cancelled.getCreatedAtMs()).isEqualTo(1_000L);
  }

  @Test
  void anUnknownRunIsNotFoundAndNothingIsPublished() {
    given("r1", RunStatus.RUNNING);

    assertThat(cancellation.cancel("r2", "why")).isEqualTo(new RunCancellation.NotFound("r2"));
    assertThat(published).isEmpty();
  }

  @Test
  void aFinishedOrCancelledRunHasAlreadyEndedAndNothingIsPublished() {
    given("done", RunStatus.FINISHED);
    given("stopped", RunStatus.CANCELLED);

    RunCancellation.Result finished = cancellation.cancel("done", "why");
    RunCancellation.Result cancelled = cancellation.cancel("stopped", "why");

    assertThat(finished).isEqualTo(new RunCancellation.AlreadyEnded(runs.get("done")));
    assertThat(((RunCancellation.AlreadyEnded) finished).message())
        .isEqualTo("run done is finished, not running");
    assertThat(((RunCancellation.AlreadyEnded) cancelled).message())
        .isEqualTo("run stopped is cancelled, not running");
    assertThat(published).isEmpty();
  }
}
