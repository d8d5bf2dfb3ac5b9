package dev.moa.provider;

/**
 * Receives a call's content as it streams in. Called on I/O threads: keep it fast and never block.
 * Exceptions it throws are logged and otherwise ignored.
 */
public interface StreamListener {
  /**
   * An attempt (1-based) starts. From the second attempt on, any deltas seen so far belong to a
   * failed attempt and should be discarded.
   */
  default void onAttemptStart(int attempt) {}

  /** A non-empty piece of content of the current attempt. */
  default void onDelta(String delta) {}

  static StreamListener none() {
    return Listeners.NO_STREAM;
  }
}
