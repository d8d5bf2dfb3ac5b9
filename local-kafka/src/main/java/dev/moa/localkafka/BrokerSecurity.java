package dev.moa.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TLS material and a SASL/SCRAM-SHA-512 user for a {@link LocalBroker}'s SSL and SASL_SSL
 * listeners, made up for one broker start: a CA, a broker key pair signed by it (SAN 127.0.0.1 and
 * localhost, so clients keep hostname verification on) and a truststore holding the CA, written by
 * the JDK's {@code keytool} into {@code dir} (PKCS12). Every password is random per start and
 * reaches keytool through its environment, never its command line (decision 040).
 */
public final class BrokerSecurity {

  /** The SCRAM mechanism of the SASL_SSL listener (what Strimzi's KafkaUser offers). */
  public static final String MECHANISM = "SCRAM-SHA-512";

  /** The SCRAM user the clients authenticate as. */
  public static final String USER = "moa-client";

  private static final String SCRAM_LOGIN =
      "org.apache.kafka.common.security.scram.ScramLoginModule";

  private final Path keystore;
  private final Path truststore;
  private final String keystorePassword;
  private final String truststorePassword;
  private final String saslPassword;

  private BrokerSecurity(
      Path keystore,
      Path truststore,
      String keystorePassword,
      String truststorePassword,
      String saslPassword) {
    this.keystore = keystore;
    this.truststore = truststore;
    this.keystorePassword = keystorePassword;
    this.truststorePassword = truststorePassword;
    this.saslPassword = saslPassword;
  }

  /** Generates a CA, the broker's key pair and the clients' truststore into {@code dir}. */
  public static BrokerSecurity generate(Path dir) {
    try {
      Files.createDirectories(dir);
      String caPass = secret();
      String keyPass = secret();
      String trustPass = secret();
      Path ca = dir.resolve("ca.p12");
      Path caCert = dir.resolve("ca.crt");
      Path keystore = dir.resolve("broker.p12");
      Path csr = dir.resolve("broker.csr");
      Path signed = dir.resolve("broker.crt");
      Path truststore = dir.resolve("truststore.p12");
      Map<String, String> env =
          Map.of("CA_PASS", caPass, "KEY_PASS", keyPass, "TRUST_PASS", trustPass);
      Path log = dir.resolve("keytool.log");
      // Five rounds of keytool runs, the independent ones side by side (each is a JVM start).
      await(
          log,
          keytool(
              env,
              log,
              ca,
              "CA_PASS",
              "-genkeypair",
              "-alias",
              "ca",
              "-dname",
              "CN=MoA test CA " + suffix(),
              "-ext",
              "bc:c"),
          keytool(
              env,
              log,
              keystore,
              "KEY_PASS",
              "-genkeypair",
              "-alias",
              "broker",
              "-dname",
              "CN=localhost"));
      await(
          log,
          keytool(env, log, ca, "CA_PASS", "-exportcert", "-rfc", "-alias", "ca", "-file", caCert),
          keytool(env, log, keystore, "KEY_PASS", "-certreq", "-alias", "broker", "-file", csr));
      await(
          log,
          keytool(
              env,
              log,
              ca,
              "CA_PASS",
              "-gencert",
              "-rfc",
              "-alias",
              "ca",
              "-infile",
              csr,
              "-outfile",
              signed,
              "-ext",
              "SAN=ip:127.0.0.1,dns:localhost"));
      // The CA first, so that the signed certificate is accepted as a reply with its chain.
      await(
          log,
          keytool(
              env,
              log,
              keystore,
              "KEY_PASS",
              "-importcert",
              "-noprompt",
              "-alias",
              "ca",
              "-file",
              caCert),
          keytool(
              env,
              log,
              truststore,
              "TRUST_PASS",
              "-importcert",
              "-noprompt",
              "-alias",
              "ca",
              "-file",
              caCert));
      await(
          log,
          keytool(
              env, log, keystore, "KEY_PASS", "-importcert", "-alias", "broker", "-file", signed));
      return new BrokerSecurity(keystore, truststore, keyPass, trustPass, secret());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot generate TLS material in " + dir + ": " + e, e);
    }
  }

  /** The truststore (PKCS12) holding the CA that signed the broker's certificate. */
  public Path truststore() {
    return truststore;
  }

  /** The SCRAM user's password, for tests that must find it nowhere. */
  public String saslPassword() {
    return saslPassword;
  }

  /** Every secret of this start: the SASL password and the stores' passwords. */
  public List<String> secrets() {
    return List.of(saslPassword, keystorePassword, truststorePassword);
  }

  /** Client settings for the SSL listener: TLS with the CA trusted, no client authentication. */
  public Map<String, String> sslClient() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", "SSL");
    p.put("ssl.truststore.location", truststore.toString());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.password", truststorePassword);
    return p;
  }

  /** Client settings for the SASL_SSL listener with the right password. */
  public Map<String, String> saslSslClient() {
    return saslSslClient(saslPassword);
  }

  /** Client settings for the SASL_SSL listener authenticating with {@code password}. */
  public Map<String, String> saslSslClient(String password) {
    Map<String, String> p = sslClient();
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", MECHANISM);
    p.put("sasl.jaas.config", jaas(USER, password));
    return p;
  }

  /** The broker's settings for its SSL and SASL_SSL listeners (added to server.properties). */
  Map<String, String> serverProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.location", keystore.toString());
    p.put("ssl.keystore.password", keystorePassword);
    p.put("ssl.key.password", keystorePassword);
    p.put("ssl.client.auth", "none");
    p.put("sasl.enabled.mechanisms", MECHANISM);
    // The server side needs a login context; the users live in the cluster's metadata (SCRAM), so
    // no credential is written here. The broker talks PLAINTEXT to itself.
    p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", SCRAM_LOGIN + " required;");
    return p;
  }

  static String jaas(String user, String password) {
    return SCRAM_LOGIN + " required username=\"" + user + "\" password=\"" + password + "\";";
  }

  /** Never shows a secret. */
  @Override
  public String toString() {
    return "BrokerSecurity[truststore=" + truststore + ", user=" + USER + ", passwords=[hidden]]";
  }

  private static String secret() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String suffix() {
    return secret().substring(0, 8);
  }

  /**
   * Starts {@code keytool args... -keystore store -storepass:env passwordVar} on a PKCS12 store;
   * the password is read from {@code env}.
   */
  private static Process keytool(
      Map<String, String> env, Path log, Path store, String passwordVar, Object... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // A short-lived tool: start its JVM as cheaply as possible.
    cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
    for (Object a : args) {
      cmd.add(a.toString());
    }
    cmd.addAll(List.of("-keystore", store.toString(), "-storepass:env", passwordVar));
    cmd.addAll(List.of("-storetype", "PKCS12"));
    if (args[0].equals("-genkeypair")) {
      cmd.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return pb.start();
  }

  private static void await(Path log, Process... runs) {
    for (Process p : runs) {
      try {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("keytool timed out; see " + log);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IllegalStateException("interrupted while running keytool", e);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool failed with exit code " + p.exitValue() + ": " + LocalBroker.tail(log));
      }
    }
  }
}
