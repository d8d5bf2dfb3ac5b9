package dev.moa.cli.stack;

import dev.moa.cli.Moa;
import dev.moa.cli.UserError;
import dev.moa.localkafka.ChildProcesses;
import dev.moa.localkafka.LocalBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One service in its own JVM (an agent worker unless told otherwise), started like {@code bin/moa
 * run SERVICE}: settings are passed as system properties, its actuator is scraped over HTTP. For
 * the benchmarks and the chaos suite, which kills them with SIGKILL.
 */
public final class WorkerProcess implements AutoCloseable {

  /** The JVM options of {@code bin/moa} (MOA_JAVA_OPTS' default), without the heap size. */
  public static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String service;
  private final Process process;
  private final int port;
  private final Path log;

  private WorkerProcess(String service, Process process, int port, Path log) {
    this.service = service;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts a worker and waits until its actuator answers.
   *
   * @param jvmOptions e.g. {@code -Xmx512m}; JFR options go here too
   * @param properties Spring settings, e.g. {@code moa.agent-worker.max-in-flight}
   */
  public static WorkerProcess start(
      String bootstrap,
      List<String> jvmOptions,
      Map<String, String> properties,
      Path log,
      Duration timeout) {
    return start("agent-worker", bootstrap, jvmOptions, properties, List.of(), log, timeout);
  }

  /**
   * Starts {@code bin/moa run SERVICE} and waits until its actuator answers.
   *
   * @param args more arguments of {@code moa run}, e.g. {@code --state-dir DIR}
   */
  public static WorkerProcess start(
      String service,
      String bootstrap,
      List<String> jvmOptions,
      Map<String, String> properties,
      List<String> args,
      Path log,
      Duration timeout) {
    int port = LocalBroker.freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Moa.class.getName()));
    cmd.addAll(List.of("run", service, "--bootstrap", bootstrap, "--port", String.valueOf(port)));
    cmd.addAll(args);
    try {
      Files.createDirectories(log.getParent());
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      WorkerProcess w = new WorkerProcess(service, p, port, log);
      w.awaitReady(timeout);
      return w;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + service + ": " + e, e);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new UserError(
            UserError.FAILED, service + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        if (get("/actuator/health").contains("UP")) {
          return;
        }
      } catch (IOException | InterruptedException e) {
        // not yet listening
      }
      sleep(250);
    }
    close();
    throw new UserError(
        UserError.FAILED, service + " did not start within " + timeout + "; see " + log);
  }

  public long pid() {
    return process.pid();
  }

  public String service() {
    return service;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process with SIGKILL, as a crash would, and waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The worker's Prometheus text. */
  public String prometheus() throws IOException, InterruptedException {
    return get("/actuator/prometheus");
  }

  private String get(String path) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body();
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** SIGTERM (a graceful drain), then SIGKILL after 30 s. */
  @Override
  public void close() {
    ChildProcesses.terminate(process, Duration.ofSeconds(30));
  }
}
