package dev.moa.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Kafka client settings for the CLI's own clients (ask, eval, cancel, grade, run SERVICE) talking
 * to a cluster given with {@code --bootstrap} that needs them, e.g. {@code
 * security.protocol=SASL_SSL}, {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code
 * ssl.truststore.location}: a Java properties file, as Kafka's own tools take with {@code
 * --command-config}, named by the environment variable {@value #ENV}. Services take the same keys
 * as {@code moa.kafka.properties.*}; {@code moa run SERVICE} forwards the file's entries that way.
 */
public final class KafkaClientFile {

  public static final String ENV = "MOA_KAFKA_PROPERTIES";

  private KafkaClientFile() {}

  /** The client properties named by {@value #ENV}, or none when it is unset or blank. */
  static Map<String, String> fromEnvironment(Function<String, String> env) {
    String file = env.apply(ENV);
    if (file == null || file.isBlank()) {
      return Map.of();
    }
    return read(Path.of(file.strip()));
  }

  /** Reads a properties file; a missing or unreadable file is a one-line usage error naming it. */
  static Map<String, String> read(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new UserError(UserError.USAGE, ENV + ": file " + file + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError(UserError.USAGE, ENV + ": cannot read " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.equals("bootstrap.servers")) {
        // The address comes from --bootstrap or the running stack; one place only.
        throw new UserError(
            UserError.USAGE,
            ENV + ": " + file + ": bootstrap.servers is not allowed here; use --bootstrap");
      }
      out.put(key, p.getProperty(key).strip());
    }
    return out;
  }
}
