package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.cli.Dirs;
import dev.moa.cli.KafkaClientFile;
import dev.moa.cli.Moa;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.localkafka.ChildProcesses;
import dev.moa.localkafka.LocalBroker;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Kafka security settings pass through from config, on a real broker: orchestrator, agent worker
 * and aggregator given {@code moa.kafka.properties.*} for SASL_SSL (SCRAM-SHA-512, TLS with a CA
 * made up for this run) answer a request on the secured listener; {@code moa ask --bootstrap} with
 * {@code MOA_KAFKA_PROPERTIES} does too; a wrong password is a one-line error within seconds; and
 * no password (SASL, keystore, truststore) shows in any captured log line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredKafkaIT {

  private static LocalBroker broker;
  private static Simulator sim;
  private static Path dir;
  private static KafkaSettings sasl;
  private static final List<ConfigurableApplicationContext> services = new ArrayList<>();

  /** Everything this JVM's services print (their logs), and every child process's output. */
  private static final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private static PrintStream originalOut;
  private static PrintStream originalErr;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("moa-secured-it");
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(tee(originalOut));
    System.setErr(tee(originalErr));
    broker = LocalBroker.startSecured(dir.resolve("broker"), Duration.ofSeconds(90));
    sasl =
        new KafkaSettings(broker.saslSslBootstrap(), broker.security().saslSslClient(), (short) 1);
    sim =
        Simulator.start(
            SimulatorOptions.builder().defaultProfile(Profile.named("instant")).build());
    for (String s : List.of("orchestrator", "agent-worker", "aggregator")) {
      services.add(service(s, broker.security().saslSslClient()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    services.forEach(ConfigurableApplicationContext::close);
    if (sim != null) {
      sim.close();
    }
    if (broker != null) {
      broker.close();
    }
    System.setOut(originalOut);
    System.setErr(originalErr);
    Dirs.deleteQuietly(dir);
  }

  /** A service on the SASL_SSL listener with {@code client} as moa.kafka.properties.*. */
  private static ConfigurableApplicationContext service(String name, Map<String, String> client) {
    Map<String, String> props = new HashMap<>();
    client.forEach((k, v) -> props.put("moa.kafka.properties." + k, v));
    props.put("moa.orchestrator.simulator-base-url", sim.baseUrl());
    props.put("moa.orchestrator.state-dir", dir.resolve(name + "-state").toString());
    // Kafka's clients log their whole config at INFO: the secret scan must see those lines.
    props.put("logging.level.org.apache.kafka", "INFO");
    return LocalStack.startService(
        LocalStack.SERVICES.get(name), broker.saslSslBootstrap(), 0, props);
  }

  @Test
  @Order(1)
  void servicesGivenSaslSslSettingsAnswerARequestOnTheSecuredListener() {
    var config = TestPipeline.config(TestPipeline.yaml(2, " {helper_response}"));

    FinalAnswer answer =
        TestPipeline.ask(
            sasl, TestPipeline.request(config, sim, "secured?"), Duration.ofSeconds(60));

    assertThat(answer.getStatus()).isEqualTo(AnswerStatus.SUCCEEDED);
    assertThat(answer.getLayers()).hasSize(2).allSatisfy(l -> assertThat(l).hasSize(3));
    assertThat(answer.getAnswer()).startsWith("[simulated model model-agg]");
  }

  @Test
  @Order(2)
  void askWithMoaKafkaPropertiesAnswersThroughTheSecuredListener() throws Exception {
    Path file = clientFile("client.properties", broker.security().saslSslClient());

    Result r = ask(file, "--timeout", "60");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("[simulated model");
  }

  @Test
  @Order(3)
  void aWrongPasswordIsAOneLineErrorWithinSeconds() throws Exception {
    String wrong = broker.security().saslPassword() + "-wrong";
    Path file = clientFile("wrong.properties", broker.security().saslSslClient(wrong));

    long started = System.nanoTime();
    Result r = ask(file, "--timeout", "60");
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(r.exit()).as(r.output()).isEqualTo(UserError.KAFKA);
    // The whole output is one line: no stack trace, no repeated client log line.
    assertThat(r.output().strip().lines())
        .singleElement()
        .asString()
        .startsWith("moa: error: Kafka at " + broker.saslSslBootstrap() + " refused the client: ")
        .contains("invalid credentials with SASL mechanism SCRAM-SHA-512")
        .doesNotContain(wrong);
    // A child JVM's start included; far below the 60 s the command would otherwise wait.
    assertThat(took).isLessThan(Duration.ofSeconds(30));

    // A service with the wrong password refuses to start with the same one-line reason.
    Map<String, String> wrongClient = broker.security().saslSslClient(wrong);
    long serviceStarted = System.nanoTime();
    assertThatThrownBy(() -> service("agent-worker", wrongClient))
        .satisfies(
            e ->
                assertThat(Moa.userError(e).getMessage())
                    .startsWith("Kafka at " + broker.saslSslBootstrap() + " refused the client:")
                    .contains("SCRAM-SHA-512"));
    assertThat(Duration.ofNanos(System.nanoTime() - serviceStarted))
        .isLessThan(Duration.ofSeconds(30));
  }

  @Test
  @Order(4)
  void noPasswordAppearsInAnyCapturedLogLine() throws Exception {
    String logs = captured.toString(StandardCharsets.UTF_8);
    String brokerLog = Files.readString(broker.logFile(), StandardCharsets.UTF_8);
    // The scan reads real lines: every client's config (secrets hidden), the broker's, the
    // failed login of the previous test.
    assertThat(logs)
        .contains("security.protocol = SASL_SSL")
        .contains("sasl.jaas.config = [hidden]")
        .contains("ssl.truststore.password = [hidden]")
        .contains("invalid credentials with SASL mechanism SCRAM-SHA-512");
    assertThat(brokerLog)
        .contains("ssl.keystore.password = [hidden]")
        .contains("Failed authentication");
    for (String secret : broker.security().secrets()) {
      assertThat(logs).doesNotContain(secret);
      assertThat(brokerLog).doesNotContain(secret);
    }
  }

  private record Result(int exit, String output) {}

  /** {@code moa ask --bootstrap SASL_SSL --json} in its own JVM with MOA_KAFKA_PROPERTIES set. */
  private static Result ask(Path clientFile, String... extra) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    // The CLI's own logging config, as bin/moa runs it (the test class path has logback-test.xml).
    cmd.add("-Dlogback.configurationFile=" + Moa.class.getResource("/logback.xml"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Moa.class.getName()));
    cmd.addAll(List.of("ask", "--bootstrap", broker.saslSslBootstrap()));
    cmd.addAll(List.of("--simulator-url", sim.baseUrl(), "--json"));
    cmd.addAll(List.of(extra));
    cmd.add("Is the secured listener there?");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("CEREBRAS_API_KEY");
    pb.environment().put(KafkaClientFile.ENV, clientFile.toString());
    Path log = dir.resolve(clientFile.getFileName() + ".log");
    Process p = pb.redirectOutput(log.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      ChildProcesses.terminate(p, Duration.ofSeconds(10));
      throw new AssertionError("moa ask did not finish; see " + log);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    originalOut.print(output);
    captured.writeBytes(output.getBytes(StandardCharsets.UTF_8));
    return new Result(p.exitValue(), output);
  }

  /** The properties file an operator would point MOA_KAFKA_PROPERTIES at. */
  private static Path clientFile(String name, Map<String, String> client) throws Exception {
    Properties p = new Properties();
    p.putAll(client);
    Path file = dir.resolve(name);
    try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "SASL_SSL client of SecuredKafkaIT");
    }
    return file;
  }

  private static PrintStream tee(PrintStream original) {
    OutputStream both =
        new OutputStream() {
          @Override
          public void write(int b) {
            original.write(b);
            synchronized (captured) {
              captured.write(b);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            synchronized (captured) {
              captured.write(b, off, len);
            }
          }
        };
    return new PrintStream(both, true, StandardCharsets.UTF_8);
  }
}
