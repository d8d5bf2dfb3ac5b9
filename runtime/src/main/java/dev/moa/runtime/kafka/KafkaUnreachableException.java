package dev.moa.runtime.kafka;

import org.apache.kafka.common.errors.AuthenticationException;

/**
 * Kafka did not answer at the given address, or refused our client's credentials or TLS handshake:
 * a one-line, user-facing error.
 */
public final class KafkaUnreachableException extends RuntimeException {

  public KafkaUnreachableException(String bootstrap, Throwable cause) {
    super(message(bootstrap, cause), cause);
  }

  /**
   * An authentication failure (wrong SASL password, untrusted certificate) is said as such: the
   * broker is there, the client's security settings are wrong. Kafka's own message never contains
   * the password.
   */
  static String message(String bootstrap, Throwable cause) {
    for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof AuthenticationException auth) {
        return "Kafka at "
            + bootstrap
            + " refused the client: "
            + oneLine(auth.getMessage())
            + " (check the security.protocol, sasl.* and ssl.* client settings)";
      }
    }
    return "cannot reach Kafka at " + bootstrap + " (is a broker running there?)";
  }

  private static String oneLine(String s) {
    return s == null ? "authentication failed" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
