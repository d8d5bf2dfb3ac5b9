package dev.moa.runtime.kafka;

/** Kafka did not answer at the given address: a one-line, user-facing error. */
public final class KafkaUnreachableException extends RuntimeException {

  public KafkaUnreachableException(String bootstrap, Throwable cause) {
    super("cannot reach Kafka at " + bootstrap + " (is a broker running there?)", cause);
  }
}
