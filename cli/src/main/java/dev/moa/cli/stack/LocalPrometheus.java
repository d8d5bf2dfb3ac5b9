package dev.moa.cli.stack;

import dev.moa.cli.UserError;
import dev.moa.localkafka.ChildProcesses;
import dev.moa.localkafka.LocalBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real Prometheus server (the Debian package's {@code /usr/bin/prometheus}) as a child process on
 * a free loopback port, scraping the local stack. A small {@code sh} watchdog runs it and stops it
 * when our end of its stdin closes, so it never outlives us, even when we are killed with SIGKILL.
 */
public final class LocalPrometheus implements AutoCloseable {

  /** Where the Debian package installs the server; {@code $MOA_PROMETHEUS} overrides it. */
  public static final String DEFAULT_BINARY = "/usr/bin/prometheus";

  private static final String INSTALL_HINT =
      "prometheus is not installed (looked for $MOA_PROMETHEUS, 'prometheus' on PATH and "
          + DEFAULT_BINARY
          + "): sudo apt-get install prometheus";

  /**
   * Runs {@code $1} with the remaining arguments and stops it (SIGTERM) when stdin reaches EOF, or
   * when this shell gets SIGTERM; exits with its exit code. A non-interactive shell gives
   * background jobs /dev/null as stdin, hence the explicit fd 3.
   */
  private static final String WATCHDOG =
      """
      exec 3<&0
      prom="$1"; shift
      "$prom" "$@" </dev/null &
      p=$!
      ( while read -r _ <&3; do :; done; kill -TERM "$p" 2>/dev/null ) 3<&3 &
      w=$!
      trap 'kill -TERM "$p" 2>/dev/null' TERM INT
      wait "$p"; rc=$?
      while kill -0 "$p" 2>/dev/null; do wait "$p"; rc=$?; done
      kill "$w" 2>/dev/null
      exit "$rc"
      """;

  /** One scrape target: a job name and the full URL of its metrics page. */
  public record Target(String job, String url) {}

  private final Process process;
  private final int port;
  private final Path dir;

  private LocalPrometheus(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** The server binary, if installed. */
  public static Optional<Path> binary() {
    String env = System.getenv("MOA_PROMETHEUS");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        if (!d.isEmpty() && Files.isExecutable(Path.of(d, "prometheus"))) {
          return Optional.of(Path.of(d, "prometheus"));
        }
      }
    }
    Path fallback = Path.of(DEFAULT_BINARY);
    return Files.isExecutable(fallback) ? Optional.of(fallback) : Optional.empty();
  }

  /** The server binary, or a {@link UserError} saying how to install it. */
  public static Path requireBinary() {
    return binary().orElseThrow(() -> new UserError(UserError.USAGE, INSTALL_HINT));
  }

  /** The scrape targets of a stack: every service's actuator page and the simulator's metrics. */
  public static List<Target> targets(Map<String, String> serviceUrls, String simulatorBaseUrl) {
    List<Target> targets = new ArrayList<>();
    serviceUrls.forEach((name, url) -> targets.add(new Target(name, url + "/actuator/prometheus")));
    URI sim = URI.create(simulatorBaseUrl);
    targets.add(
        new Target("simulator", sim.getScheme() + "://" + sim.getRawAuthority() + "/metrics"));
    return targets;
  }

  /**
   * The rule files shipped in the repository (deploy/prometheus/alerts.yml), found from the working
   * directory or the CLI's jar location upwards; empty when there are none.
   */
  public static List<Path> shippedRuleFiles() {
    List<Path> starts = new ArrayList<>();
    starts.add(Path.of("").toAbsolutePath());
    try {
      starts.add(
          Path.of(LocalPrometheus.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toAbsolutePath());
    } catch (Exception ignored) {
      // No code source (unusual class loader): the working directory alone is searched.
    }
    for (Path start : starts) {
      for (Path d = start; d != null; d = d.getParent()) {
        Path alerts = d.resolve("deploy").resolve("prometheus").resolve("alerts.yml");
        if (Files.isRegularFile(alerts)) {
          return List.of(alerts);
        }
      }
    }
    return List.of();
  }

  /**
   * Starts Prometheus scraping {@code targets} every {@code scrapeInterval}, its config, data and
   * log in {@code dir}, and waits until it is ready.
   */
  public static LocalPrometheus start(
      Path dir, List<Target> targets, List<Path> ruleFiles, Duration scrapeInterval) {
    Path binary = requireBinary();
    try {
      Files.createDirectories(dir);
      int port = LocalBroker.freePort();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, config(targets, ruleFiles, scrapeInterval));
      Path log = dir.resolve("prometheus.log");
      List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "moa-prometheus"));
      cmd.add(binary.toString());
      cmd.add("--config.file=" + config);
      cmd.add("--storage.tsdb.path=" + dir.resolve("data"));
      cmd.add("--storage.tsdb.retention.time=2d");
      cmd.add("--web.listen-address=127.0.0.1:" + port);
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      LocalPrometheus prometheus = new LocalPrometheus(pb.start(), port, dir);
      prometheus.awaitReady(Duration.ofSeconds(60));
      return prometheus;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start prometheus in " + dir + ": " + e, e);
    }
  }

  /** The generated prometheus.yml. */
  static String config(List<Target> targets, List<Path> ruleFiles, Duration scrapeInterval) {
    String interval = scrapeInterval.toMillis() + "ms";
    StringBuilder sb = new StringBuilder("# written by MoA Pipeline's LocalPrometheus\n");
    sb.append("global:\n");
    sb.append("  scrape_interval: ").append(interval).append('\n');
    sb.append("  scrape_timeout: ").append(interval).append('\n');
    sb.append("  evaluation_interval: ").append(interval).append('\n');
    if (!ruleFiles.isEmpty()) {
      sb.append("rule_files:\n");
      ruleFiles.forEach(f -> sb.append("  - ").append(quote(f.toAbsolutePath().toString())));
    }
    sb.append("scrape_configs:\n");
    for (Target t : targets) {
      URI uri = URI.create(t.url());
      sb.append("  - job_name: ").append(quote(t.job()));
      sb.append("    scheme: ").append(uri.getScheme()).append('\n');
      sb.append("    metrics_path: ").append(quote(uri.getRawPath()));
      sb.append("    static_configs:\n");
      sb.append("      - targets: [").append(quote(uri.getRawAuthority()).strip()).append("]\n");
    }
    return sb.toString();
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'\n";
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  /** The watchdog shell's pid; Prometheus itself is its child. */
  public long pid() {
    return process.pid();
  }

  /** The watchdog and Prometheus, while they run. */
  public List<ProcessHandle> processes() {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(process.toHandle());
    process.descendants().forEach(all::add);
    return all.stream().filter(ProcessHandle::isAlive).toList();
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "prometheus exited with code " + process.exitValue() + "; log tail:\n" + tail());
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while prometheus started", e);
      }
      try {
        Thread.sleep(100); // polling a child process: no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while prometheus started", e);
      }
    }
    close();
    throw new IllegalStateException(
        "prometheus did not become ready within " + timeout + "; log tail:\n" + tail());
  }

  private String tail() {
    try {
      List<String> lines =
          Files.readAllLines(dir.resolve("prometheus.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops Prometheus (SIGTERM through the watchdog: its TSDB closes cleanly) and waits for it. */
  @Override
  public void close() {
    ChildProcesses.stop(
        process,
        () -> {
          try {
            process.getOutputStream().close();
          } catch (IOException ignored) {
            // Closed already: the watchdog has seen EOF.
          }
        },
        Duration.ofSeconds(20));
  }
}
