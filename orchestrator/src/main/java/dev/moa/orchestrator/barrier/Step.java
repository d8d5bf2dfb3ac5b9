package dev.moa.orchestrator.barrier;

import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.RequestState;
import java.util.List;

/**
 * What the barrier decided for one input: the state to store (or delete, or leave), and the records
 * to publish.
 */
public record Step(
    Change change,
    RequestState state,
    List<AgentTask> tasks,
    AggregateTask aggregate,
    FinalAnswer answer,
    String note,
    LayerDone layerDone) {

  /**
   * A layer that just completed: how long it took from its tasks' publication, and how long its
   * barrier waited from the first result (-1 when no result came).
   */
  public record LayerDone(int layer, long durationMs, long barrierWaitMs) {}

  /** What happens to the stored state. */
  public enum Change {
    UNCHANGED,
    PUT,
    DELETE
  }

  public Step {
    tasks = List.copyOf(tasks);
  }

  static Step ignore(String why) {
    return new Step(Change.UNCHANGED, null, List.of(), null, null, why, null);
  }

  static Step put(RequestState state) {
    return new Step(Change.PUT, state, List.of(), null, null, null, null);
  }

  static Step delete() {
    return new Step(Change.DELETE, null, List.of(), null, null, "expired", null);
  }

  Step withTasks(List<AgentTask> tasks) {
    return new Step(change, state, tasks, aggregate, answer, note, layerDone);
  }

  Step withAggregate(AggregateTask aggregate) {
    return new Step(change, state, tasks, aggregate, answer, note, layerDone);
  }

  Step withAnswer(FinalAnswer answer) {
    return new Step(change, state, tasks, aggregate, answer, note, layerDone);
  }

  Step withLayerDone(LayerDone done) {
    return new Step(change, state, tasks, aggregate, answer, note, done);
  }

  public boolean ignored() {
    return change == Change.UNCHANGED && tasks.isEmpty() && aggregate == null && answer == null;
  }
}
