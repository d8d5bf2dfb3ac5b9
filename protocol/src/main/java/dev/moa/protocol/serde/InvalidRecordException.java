package dev.moa.protocol.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that decoded as valid Avro but holds an impossible value (an empty id, a layer below 1,
 * a negative count, ...). A {@link SerializationException}, so every consumer treats it like
 * undecodable bytes: the record goes to {@code <topic>-dlt} and the partition moves on.
 */
public final class InvalidRecordException extends SerializationException {

  private final String field;
  private final String value;

  public InvalidRecordException(String field, Object value, String problem) {
    super(field + ": " + quote(value) + " " + problem);
    this.field = field;
    this.value = String.valueOf(value);
  }

  /** The field path, e.g. {@code MoaRequest.config.layers[0].agents}. */
  public String field() {
    return field;
  }

  /** The bad value as text. */
  public String value() {
    return value;
  }

  private static String quote(Object value) {
    if (value instanceof CharSequence s) {
      String text = s.toString();
      return "'" + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + "'";
    }
    return String.valueOf(value);
  }
}
