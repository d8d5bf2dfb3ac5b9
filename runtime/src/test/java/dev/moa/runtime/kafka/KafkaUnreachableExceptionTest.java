package dev.moa.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class KafkaUnreachableExceptionTest {

  @Test
  void aRefusedLoginSaysTheBrokerRefusedTheClientInOneLine() {
    var cause =
        new ExecutionException(
            new SaslAuthenticationException(
                "Authentication failed during authentication due to invalid credentials with SASL"
                    + " mechanism SCRAM-SHA-512"));
    assertThat(new KafkaUnreachableException("h:9094", cause).getMessage())
        .isEqualTo(
            "Kafka at h:9094 refused the client: Authentication failed during authentication due"
                + " to invalid credentials with SASL mechanism SCRAM-SHA-512 (check the"
                + " security.protocol, sasl.* and ssl.* client settings)");
  }

  @Test
  void aFailedHandshakeIsOneLineToo() {
    var cause = new SslAuthenticationException("SSL handshake failed\n  caused by: PKIX path");
    assertThat(new KafkaUnreachableException("h:9093", cause).getMessage())
        .startsWith("Kafka at h:9093 refused the client: SSL handshake failed caused by: PKIX")
        .doesNotContain("\n");
  }

  @Test
  void noAnswerAtAllIsStillUnreachable() {
    assertThat(new KafkaUnreachableException("h:9092", new TimeoutException("t")).getMessage())
        .isEqualTo("cannot reach Kafka at h:9092 (is a broker running there?)");
  }
}
