package dev.moa.batch;

import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Cancels a batch run (decision 014): publishes its state as CANCELLED on {@code moa.runs}, which
 * the orchestrator's barrier and the run's driver act on. The one operation behind {@code moa
 * cancel} and the web console's cancel; where the run's current state comes from and how the new
 * one is published are the caller's ({@link #onTopic} for a process without a view of {@code
 * moa.runs}).
 */
public final class RunCancellation {

  /** What a cancel did. */
  public sealed interface Result permits Cancelled, AlreadyEnded, NotFound {}

  /** The run was RUNNING; {@code state} is the CANCELLED state that was published. */
  public record Cancelled(RunState state) implements Result {}

  /** The run is no longer RUNNING (finished or cancelled before); nothing was published. */
  public record AlreadyEnded(RunState state) implements Result {
    /** {@code run ID is finished, not running}. */
    public String message() {
      return "run "
          + state.getRunId()
          + " is "
          + state.getStatus().name().toLowerCase(Locale.ROOT)
          + ", not running";
    }
  }

  /** {@code moa.runs} has no state of the run; nothing was published. */
  public record NotFound(String runId) implements Result {}

  private final Function<String, RunState> currentState;
  private final Consumer<RunState> publish;
  private final Clock clock;

  /**
   * @param currentState a run's latest state on {@code moa.runs}, null when it has none
   * @param publish sends a state to {@code moa.runs} and returns once it is acknowledged (throws
   *     when it cannot)
   * @param clock stamps the cancelled state's update time
   */
  public RunCancellation(
      Function<String, RunState> currentState, Consumer<RunState> publish, Clock clock) {
    this.currentState = Objects.requireNonNull(currentState, "currentState");
    this.publish = Objects.requireNonNull(publish, "publish");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Reads {@code moa.runs} to its end for the run's state and publishes with its own producer. */
  public static RunCancellation onTopic(KafkaSettings settings) {
    return new RunCancellation(
        runId -> RunsTopic.readAll(settings).get(runId),
        state -> RunsTopic.publish(settings, state),
        Clock.systemUTC());
  }

  /**
   * Cancels the run if it is RUNNING: its state, with status CANCELLED, {@code reason} and the
   * time, is published before this returns.
   */
  public Result cancel(String runId, String reason) {
    RunState state = currentState.apply(runId);
    if (state == null) {
      return new NotFound(runId);
    }
    if (state.getStatus() != RunStatus.RUNNING) {
      return new AlreadyEnded(state);
    }
    RunState cancelled =
        RunState.newBuilder(state)
            .setStatus(RunStatus.CANCELLED)
            .setReason(reason)
            .setUpdatedAtMs(clock.millis())
            .build();
    publish.accept(cancelled);
    return new Cancelled(cancelled);
  }
}
