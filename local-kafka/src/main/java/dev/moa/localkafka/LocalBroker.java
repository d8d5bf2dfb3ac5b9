package dev.moa.localkafka;

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
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
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
  private final Secured secured;

  private static final String BROKER_LOGBACK =
      """
      <configuration>
        <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
        </appender>
        <logger name="state.change.logger" level="WARN"/>
        <root level="INFO"><appender-ref ref="OUT"/></root>
      </configuration>
      """;

  /** The SSL and SASL_SSL listeners of a broker started with {@link #startSecured}. */
  private record Secured(int sslPort, int saslSslPort, BrokerSecurity security) {}

  private LocalBroker(Path dataDir, int port, Process process, Path logFile, Secured secured) {
    this.dataDir = dataDir;
    this.port = port;
    this.process = process;
    this.logFile = logFile;
    this.secured = secured;
  }

  /**
   * Starts a broker and waits until it serves metadata.
   *
   * @param port the client port, or 0 for a free one
   * @param dataDir where the log and metadata live; reused (not re-formatted) when already
   *     formatted
   */
  public static LocalBroker start(int port, Path dataDir, Duration startTimeout) {
    return start(port, dataDir, startTimeout, false);
  }

  /**
   * Starts a broker that, besides its PLAINTEXT listener, serves an SSL listener and a SASL_SSL
   * listener (SCRAM-SHA-512) with TLS material and a client user made up for this start (see {@link
   * BrokerSecurity}; decision 040), and waits until a SASL_SSL client is served.
   */
  public static LocalBroker startSecured(Path dataDir, Duration startTimeout) {
    return start(0, dataDir, startTimeout, true);
  }

  private static LocalBroker start(int port, Path dataDir, Duration startTimeout, boolean secure) {
    try {
      Files.createDirectories(dataDir);
      int clientPort = port == 0 ? freePort() : port;
      int controllerPort = freePort();
      Secured secured =
          secure
              ? new Secured(freePort(), freePort(), BrokerSecurity.generate(dataDir.resolve("tls")))
              : null;
      Path props = dataDir.resolve("server.properties");
      Path logs = dataDir.resolve("logs");
      Files.writeString(props, serverProperties(clientPort, controllerPort, logs, secured));
      Path logFile = dataDir.resolve("broker.log");
      if (!Files.exists(logs.resolve("meta.properties"))) {
        String clusterId = base64Uuid();
        run(
            List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props.toString()),
            logFile,
            Duration.ofSeconds(60));
      }
      List<String> cmd = javaCommand();
      if (secured != null) {
        // Kafka's own INFO lines (its config with secrets [hidden], failed authentications) are
        // what someone checking a secured broker wants to read.
        Path logback = dataDir.resolve("broker-logback.xml");
        Files.writeString(logback, BROKER_LOGBACK);
        cmd.add(1, "-Dlogback.configurationFile=" + logback);
      }
      cmd.addAll(List.of(BrokerMain.class.getName(), props.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      Process process = pb.start();
      LocalBroker broker = new LocalBroker(dataDir, clientPort, process, logFile, secured);
      broker.awaitReady(startTimeout);
      if (secured != null) {
        broker.addScramUser(startTimeout);
      }
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

  /** The SSL listener's address; only for a broker started with {@link #startSecured}. */
  public String sslBootstrap() {
    return "127.0.0.1:" + secured().sslPort();
  }

  /** The SASL_SSL listener's address; only for a broker started with {@link #startSecured}. */
  public String saslSslBootstrap() {
    return "127.0.0.1:" + secured().saslSslPort();
  }

  /** The TLS material and SCRAM user of a broker started with {@link #startSecured}. */
  public BrokerSecurity security() {
    return secured().security();
  }

  /** The broker's own log (stdout and stderr of its JVM). */
  public Path logFile() {
    return logFile;
  }

  private Secured secured() {
    if (secured == null) {
      throw new IllegalStateException("this broker was started without SSL/SASL_SSL listeners");
    }
    return secured;
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

  /**
   * Creates the SCRAM user through the PLAINTEXT listener, then waits until a SASL_SSL client
   * authenticates with it (the credential reaches the broker through the metadata log).
   */
  private void addScramUser(Duration timeout) {
    BrokerSecurity security = security();
    Properties plain = new Properties();
    plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    try (Admin admin = Admin.create(plain)) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      BrokerSecurity.USER,
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                      security.saslPassword())))
          .all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot create the broker's SCRAM user: " + e, e);
    }
    Properties props = new Properties();
    props.putAll(security.saslSslClient());
    awaitServed(saslSslBootstrap(), props, timeout);
  }

  private void awaitReady(Duration timeout) {
    awaitServed(bootstrap(), new Properties(), timeout);
  }

  private void awaitServed(String address, Properties client, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties props = new Properties();
    props.putAll(client);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address);
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
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (Exception notYet) {
          // Broker still starting (or the SCRAM user not yet known, which fails at once): pause
          // briefly and try again until the deadline.
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
      }
    }
    close();
    throw new IllegalStateException(
        "local broker did not serve " + address + " within " + timeout + "; log tail:\n" + tail());
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
    return serverProperties(clientPort, controllerPort, logs, null);
  }

  private static String serverProperties(
      int clientPort, int controllerPort, Path logs, Secured secured) {
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
    if (secured != null) {
      String ssl = "SSL://127.0.0.1:" + secured.sslPort();
      String saslSsl = "SASL_SSL://127.0.0.1:" + secured.saslSslPort();
      p.put("listeners", p.get("listeners") + "," + ssl + "," + saslSsl);
      p.put("advertised.listeners", p.get("advertised.listeners") + "," + ssl + "," + saslSsl);
      p.put(
          "listener.security.protocol.map",
          p.get("listener.security.protocol.map") + ",SSL:SSL,SASL_SSL:SASL_SSL");
      p.putAll(secured.security().serverProperties());
    }
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
