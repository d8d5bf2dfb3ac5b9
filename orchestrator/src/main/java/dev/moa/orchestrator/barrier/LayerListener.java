package dev.moa.orchestrator.barrier;

/** Told about every layer the barrier completes (for metrics); called on a stream thread. */
@FunctionalInterface
public interface LayerListener {
  void onLayerDone(Step.LayerDone done);

  static LayerListener none() {
    return done -> {};
  }
}
