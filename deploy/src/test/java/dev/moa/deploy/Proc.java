package dev.moa.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs an external tool (kubectl, node, npm, promtool) and collects its output. */
final class Proc {

  record Result(int exit, String output) {}

  private Proc() {}

  /** Runs a command; its output is standard output and standard error together. */
  static Result run(List<String> command, Path dir, Duration timeout) {
    return run(command, dir, timeout, true);
  }

  /** Runs a command; with {@code mergeErrors} false, standard error is left out of the output. */
  static Result run(List<String> command, Path dir, Duration timeout, boolean mergeErrors) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    try {
      Path out = Files.createTempFile("moa-deploy-", ".out");
      Path err = Files.createTempFile("moa-deploy-", ".err");
      try {
        pb.redirectOutput(out.toFile());
        if (mergeErrors) {
          pb.redirectErrorStream(true);
        } else {
          pb.redirectError(err.toFile());
        }
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor();
          throw new AssertionError(command + " did not finish within " + timeout);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (!mergeErrors && p.exitValue() != 0) {
          output = output + Files.readString(err, StandardCharsets.UTF_8);
        }
        return new Result(p.exitValue(), output);
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  /** An executable found by environment variable, fixed path or PATH; null when there is none. */
  static String find(String envVar, String name) {
    String fromEnv = System.getenv(envVar);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    return Stream.concat(Stream.of("/usr/bin"), Stream.of(path.split(":")))
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .map(Path::toString)
        .findFirst()
        .orElse(null);
  }
}
