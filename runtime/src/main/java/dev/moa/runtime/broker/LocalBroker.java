package dev.moa.runtime.broker;

import dev.moa.runtime.process.ChildProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (combined broker + controller) from the Kafka server artifacts,
 * run as a child JVM so that it can be killed like a real broker and never shares our heap.
 */
public final class LocalBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalBroker.class);

  private final Path dataDir;
  private final int port;
  private final Process process;
  private final Path logFile;

  private LocalBroker(Path dataDir, int port, Process process, Path logFile) {
    this.dataDir = dataDir;
    this.port = port;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts a broker and waits until it serves metadata.
   *
   * @param port the client port, or 0 for a free one
   * @param dataDir where the log and metadata live; reused (not re-formatted) when already
   *     formatted
   */
  public static LocalBroker start(int port, Path dataDir, Duration startTimeout) {
    try {
      Files.createDirectories(dataDir);
      int clientPort = port == 0 ? freePort() : port;
      int controllerPort = freePort();
      Path props = dataDir.resolve("server.properties");
      Path logs = dataDir.resolve("logs");
      Files.writeString(props, serverProperties(clientPort, controllerPort, logs));
      Path logFile = dataDir.resolve("broker.log");
      if (!Files.exists(logs.resolve("meta.properties"))) {
        String clusterId = base64Uuid();
        run(
            List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props.toString()),
            logFile,
            Duration.ofSeconds(60));
      }
      List<String> cmd = javaCommand();
      cmd.addAll(List.of(BrokerMain.class.getName(), props.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      Process process = pb.start();
      LocalBroker broker = new LocalBroker(dataDir, clientPort, process, logFile);
      broker.awaitReady(startTimeout);
      log.info("local Kafka broker ready on {} (data {})", broker.bootstrap(), dataDir);
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start local broker in " + dataDir + ": " + e, e);
    }
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the broker with SIGTERM (a controlled shutdown) and waits for it. */
  @Override
  public void close() {
    ChildProcesses.terminate(process, Duration.ofSeconds(30));
  }

  /** Kills the broker with SIGKILL, as a crash would. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "local broker exited with code " + process.exitValue() + "; log tail:\n" + tail());
        }
        try {
          int nodes =
              admin
                  .describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                  .nodes()
                  .get(3, TimeUnit.SECONDS)
                  .size();
          if (nodes > 0) {
            return;
          }
        } catch (Exception notYet) {
          // Broker still starting: try again until the deadline.
        }
      }
    }
    close();
    throw new IllegalStateException(
        "local broker did not become ready within " + timeout + "; log tail:\n" + tail());
  }

  private String tail() {
    return tail(logFile);
  }

  /** The last 20 lines of a log file, for error messages. */
  static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static String serverProperties(int clientPort, int controllerPort, Path logs) {
    Map<String, String> p =
        new java.util.LinkedHashMap<>(
            Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                Map.entry(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:"
                        + clientPort
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry(
                    "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", logs.toString()),
                Map.entry("num.partitions", "1"),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "10"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("transaction.state.log.num.partitions", "10"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("log.segment.bytes", Integer.toString(64 * 1024 * 1024))));
    StringBuilder sb = new StringBuilder("# written by MoA Pipeline's LocalBroker\n");
    p.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    return sb.toString();
  }

  static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms64m");
    cmd.add("-Xmx512m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djava.awt.headless=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    return cmd;
  }

  static void run(List<String> mainAndArgs, Path logFile, Duration timeout) throws IOException {
    List<String> cmd = javaCommand();
    cmd.addAll(mainAndArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Process p = pb.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("'" + mainAndArgs.get(0) + "' timed out");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "'"
                + String.join(" ", mainAndArgs)
                + "' failed with exit code "
                + p.exitValue()
                + "; see "
                + logFile);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while formatting broker storage", e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kafka's own generator never returns an id starting with '-', which the tool would misread. */
  static String base64Uuid() {
    return org.apache.kafka.common.Uuid.randomUuid().toString();
  }
}
