package dev.moa.cli.batch;

import dev.moa.cli.stack.StackState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs in progress on this machine, in {@code $MOA_HOME/runs/<run-id>.json}, so that {@code moa
 * cancel RUN_ID} finds the cluster of a run that started its own local stack.
 */
final class ActiveRuns {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ActiveRuns() {}

  static Path file(String runId) {
    return StackState.home().resolve("runs").resolve(runId + ".json");
  }

  static void register(String runId, String bootstrap, Path dir) {
    try {
      Files.createDirectories(file(runId).getParent());
      Files.writeString(
          file(runId),
          JSON.writeValueAsString(
              Map.of(
                  "run_id",
                  runId,
                  "bootstrap",
                  bootstrap,
                  "dir",
                  dir.toAbsolutePath().toString(),
                  "pid",
                  ProcessHandle.current().pid())));
    } catch (IOException e) {
      // Only 'moa cancel' without --bootstrap needs it; the run itself does not.
      System.err.println("moa: warning: cannot record the run in " + file(runId) + ": " + e);
    }
  }

  static void unregister(String runId) {
    try {
      Files.deleteIfExists(file(runId));
    } catch (IOException ignored) {
      // A stale entry only points 'moa cancel' at a cluster; it checks the run there.
    }
  }

  /** The bootstrap of a run started on this machine, if it is still running. */
  static Optional<String> bootstrapOf(String runId) {
    Path f = file(runId);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      var node = JSON.readTree(Files.readString(f));
      long pid = node.path("pid").asLong(-1);
      if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return Optional.empty();
      }
      return Optional.ofNullable(node.path("bootstrap").asString(null));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
