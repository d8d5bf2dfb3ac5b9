package dev.moa.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.moa.runtime.spring.MoaKafkaProperties;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** SASL_SSL / SSL client settings reach every Kafka client unchanged, and no secret is logged. */
class KafkaSettingsSecurityTest {

  /** Made up per run: no secret, not even a fake one, is written in the sources. */
  private static final String SECRET =
      "planted-"
          + java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(8));

  private static final String JAAS =
      "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"moa\""
          + " password=\""
          + SECRET
          + "\";";

  /** What an operator writes: moa.kafka.properties.* as Spring settings (env, --args, YAML). */
  private static MoaKafkaProperties bind() {
    Map<String, String> source = new HashMap<>();
    source.put("moa.kafka.bootstrap", "127.0.0.1:9");
    source.put("moa.kafka.properties.security.protocol", "SASL_SSL");
    source.put("moa.kafka.properties.sasl.mechanism", "PLAIN");
    source.put("moa.kafka.properties.sasl.jaas.config", JAAS);
    source.put("moa.kafka.properties.ssl.endpoint.identification.algorithm", "https");
    source.put("moa.kafka.properties.ssl.truststore.type", "PKCS12");
    source.put("moa.kafka.properties.ssl.keystore.password", SECRET);
    return new Binder(new MapConfigurationPropertySource(source))
        .bind("moa.kafka", MoaKafkaProperties.class)
        .get();
  }

  private static KafkaSettings settings() {
    MoaKafkaProperties p = bind();
    return new KafkaSettings(p.bootstrap(), p.properties(), p.replicationFactor());
  }

  @Test
  void springSettingsBindWithDottedKeysAndReachProducerConsumerAndAdminConfigs() {
    KafkaSettings s = settings();
    assertThat(s.clientProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN")
        .containsEntry("sasl.jaas.config", JAAS)
        .containsEntry("ssl.endpoint.identification.algorithm", "https");
    for (Map<String, Object> client : List.of(s.producer("p"), s.consumer("g", true), s.common())) {
      assertThat(client)
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.mechanism", "PLAIN")
          .containsEntry("sasl.jaas.config", JAAS)
          .containsEntry("ssl.truststore.type", "PKCS12")
          .containsEntry("bootstrap.servers", "127.0.0.1:9");
    }
  }

  @Test
  void settingsAndPropertiesNeverPrintASecret() {
    KafkaSettings s = settings();
    assertThat(s.toString())
        .doesNotContain(SECRET)
        .contains("sasl.jaas.config=[hidden]")
        .contains("ssl.keystore.password=[hidden]")
        .contains("security.protocol=SASL_SSL");
    assertThat(bind().toString()).doesNotContain(SECRET).contains("SASL_SSL");
    assertThat(KafkaSettings.isSecret("ssl.key.password")).isTrue();
    assertThat(KafkaSettings.isSecret("sasl.oauthbearer.token.endpoint.url")).isTrue();
    assertThat(KafkaSettings.isSecret("ssl.truststore.location")).isFalse();
  }

  @Test
  void realClientsBuiltFromTheSettingsLogTheirConfigWithTheSecretHidden() {
    // Without the keystore password the SSL factory would want a keystore file: the SASL secret
    // alone is enough to show what the clients log.
    Map<String, String> props = new HashMap<>(settings().clientProperties());
    props.remove("ssl.keystore.password");
    KafkaSettings s = new KafkaSettings("127.0.0.1:9", props, (short) 1);
    Logger kafka = (Logger) LoggerFactory.getLogger("org.apache.kafka");
    Level before = kafka.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    kafka.addAppender(appender);
    kafka.setLevel(Level.DEBUG);
    kafka.setAdditive(false); // only into the list, not the console
    try {
      Map<String, Object> consumerProps = s.consumer("g", true);
      try (var producer = new KafkaProducer<byte[], byte[]>(s.producer("security-test"));
          var consumer = new KafkaConsumer<byte[], byte[]>(consumerProps);
          var admin = Admin.create(s.common())) {
        assertThat(producer).isNotNull();
        assertThat(consumer).isNotNull();
        assertThat(admin).isNotNull();
      }
    } finally {
      kafka.setLevel(before);
      kafka.setAdditive(true);
      kafka.detachAppender(appender);
    }
    String logged =
        String.join(
            "\n",
            appender.list.stream()
                .map(e -> e.getFormattedMessage() + " " + String.valueOf(e.getThrowableProxy()))
                .toList());
    // Producer, consumer and admin each logged their config, with the protocol in clear...
    assertThat(logged).contains("security.protocol = SASL_SSL");
    assertThat(logged).contains("sasl.jaas.config = [hidden]");
    // ...and the secret nowhere, not even at DEBUG.
    assertThat(logged).doesNotContain(SECRET);
  }
}
