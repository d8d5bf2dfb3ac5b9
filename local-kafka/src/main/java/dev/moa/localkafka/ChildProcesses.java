package dev.moa.localkafka;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping the child processes the tools start (broker, workers, Prometheus). */
public final class ChildProcesses {

  private ChildProcesses() {}

  /**
   * Asks {@code process} to stop ({@code ask}: SIGTERM, or EOF on its stdin) and waits up to {@code
   * grace} for it to end; then kills it and everything it had started when asked (taken before, as
   * they may be re-parented once it ends). Interrupted: kills at once.
   */
  public static void stop(Process process, Runnable ask, Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    var children = process.descendants().toList();
    ask.run();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      children.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}. */
  public static void terminate(Process process, Duration grace) {
    stop(process, process::destroy, grace);
  }
}
