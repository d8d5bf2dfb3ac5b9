package dev.moa.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.runtime.kafka.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientFileTest {

  @TempDir Path dir;

  /** Made up per run: no secret, not even a fake one, is written in the sources. */
  private static final String SECRET =
      "planted-"
          + java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(8));

  @Test
  void saslSettingsReachEveryClientTheCliBuilds() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(
        file,
        """
        # a SASL_SSL cluster
        security.protocol=SASL_SSL
        sasl.mechanism=PLAIN
        sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\
            username="moa" password="%s";
        ssl.truststore.location=/etc/kafka/truststore.jks
        """
            .formatted(SECRET));
    Map<String, String> client =
        KafkaClientFile.fromEnvironment(
            name -> name.equals(KafkaClientFile.ENV) ? file.toString() : null);

    KafkaSettings settings = new KafkaSettings("broker-1:9093", client, (short) 1);
    for (Map<String, Object> props :
        java.util.List.of(
            settings.producer("moa-cli"), settings.consumer("g", true), settings.common())) {
      assertThat(props)
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.mechanism", "PLAIN")
          .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks");
      assertThat(props.get("sasl.jaas.config").toString()).contains("password=\"" + SECRET + "\"");
    }
    // A settings object in a log line or an error never shows the secret.
    assertThat(settings.toString()).doesNotContain(SECRET);
  }

  @Test
  void unsetOrBlankMeansNoExtraSettings() {
    assertThat(KafkaClientFile.fromEnvironment(name -> null)).isEmpty();
    assertThat(KafkaClientFile.fromEnvironment(name -> "  ")).isEmpty();
  }

  @Test
  void aMissingFileIsAUsageErrorNamingTheVariableAndFile() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> KafkaClientFile.fromEnvironment(name -> missing.toString()))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("MOA_KAFKA_PROPERTIES")
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void bootstrapServersInTheFileIsRefused() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "bootstrap.servers=elsewhere:9092\n");
    assertThatThrownBy(() -> KafkaClientFile.read(file))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("bootstrap.servers")
        .hasMessageContaining("--bootstrap");
  }
}
