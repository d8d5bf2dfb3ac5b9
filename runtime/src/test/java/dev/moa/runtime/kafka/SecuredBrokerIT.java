package dev.moa.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.localkafka.LocalBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The broker's SSL and SASL_SSL listeners serve real clients built from pass-through settings. */
class SecuredBrokerIT {

  private static LocalBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker =
        LocalBroker.startSecured(
            Files.createTempDirectory("moa-secured-broker"), Duration.ofSeconds(90));
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
      try (var walk = Files.walk(broker.dataDir())) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void sslClientCreatesTopicsAndRoundTripsARecord() throws Exception {
    KafkaSettings ssl =
        new KafkaSettings(broker.sslBootstrap(), broker.security().sslClient(), (short) 1);
    TopicAdmin.ensureTopics(ssl, 30_000);
    assertThat(roundTrip(ssl, "over-ssl")).isEqualTo("over-ssl");
  }

  @Test
  void saslSslClientWithTheScramUserRoundTripsARecord() throws Exception {
    KafkaSettings sasl =
        new KafkaSettings(broker.saslSslBootstrap(), broker.security().saslSslClient(), (short) 1);
    TopicAdmin.ensureTopics(sasl, 30_000);
    assertThat(roundTrip(sasl, "over-sasl-ssl")).isEqualTo("over-sasl-ssl");
  }

  @Test
  void aWrongSaslPasswordIsAOneLineAuthenticationErrorWithinSeconds() {
    String wrong = broker.security().saslPassword() + "x";
    KafkaSettings bad =
        new KafkaSettings(
            broker.saslSslBootstrap(), broker.security().saslSslClient(wrong), (short) 1);
    long started = System.nanoTime();
    assertThatThrownBy(() -> TopicAdmin.ensureTopics(bad, 30_000))
        .isInstanceOf(KafkaUnreachableException.class)
        .hasMessageStartingWith("Kafka at " + broker.saslSslBootstrap() + " refused the client: ")
        .hasMessageContaining("SCRAM-SHA-512")
        .satisfies(
            e -> {
              assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(wrong);
              broker
                  .security()
                  .secrets()
                  .forEach(s -> assertThat(e.getMessage()).doesNotContain(s));
            });
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aClientThatDoesNotTrustTheCaFailsTheHandshakeClearly() {
    Map<String, String> untrusting = new HashMap<>(broker.security().sslClient());
    untrusting.remove("ssl.truststore.location");
    untrusting.remove("ssl.truststore.password");
    untrusting.remove("ssl.truststore.type");
    KafkaSettings bad = new KafkaSettings(broker.sslBootstrap(), untrusting, (short) 1);
    long started = System.nanoTime();
    assertThatThrownBy(() -> TopicAdmin.ensureTopics(bad, 30_000))
        .isInstanceOf(KafkaUnreachableException.class)
        .hasMessageContaining("refused the client: SSL handshake failed");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void noSecretIsInTheBrokersLogOrItsSettingsObject() throws Exception {
    // Makes the broker log a failed authentication too.
    aWrongSaslPasswordIsAOneLineAuthenticationErrorWithinSeconds();
    String log = Files.readString(broker.logFile(), StandardCharsets.UTF_8);
    // The broker logged its config (secrets hidden) and the failure: the scan reads real lines.
    assertThat(log)
        .contains("ssl.keystore.password = [hidden]")
        .contains("SASL_SSL://127.0.0.1:")
        .contains("Failed authentication");
    for (String secret : broker.security().secrets()) {
      assertThat(log).doesNotContain(secret);
      assertThat(broker.security().toString()).doesNotContain(secret);
    }
    Path tls = broker.security().truststore().getParent();
    assertThat(Files.readString(tls.resolve("keytool.log")))
        .satisfies(k -> broker.security().secrets().forEach(s -> assertThat(k).doesNotContain(s)));
  }

  private static String roundTrip(KafkaSettings settings, String value) throws Exception {
    String topic = "moa.agent-tasks";
    String key = "secured-" + UUID.randomUUID();
    try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("secured-it"))) {
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  0,
                  key.getBytes(StandardCharsets.UTF_8),
                  value.getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer(key, false))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(new String(r.key(), StandardCharsets.UTF_8))) {
            return new String(r.value(), StandardCharsets.UTF_8);
          }
          seen.add(r);
        }
      }
      throw new AssertionError("record " + key + " not read back; saw " + seen.size() + " others");
    }
  }
}
