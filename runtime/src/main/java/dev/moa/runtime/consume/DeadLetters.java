package dev.moa.runtime.consume;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers every dead letter of the pipeline carries, whichever consumer wrote it (the async
 * consumers, the Spring containers, the barrier's Streams topology): the original record's headers
 * plus where it came from and the exception that refused it. Its key and value are the original
 * bytes.
 */
public final class DeadLetters {

  public static final String HEADER_EXCEPTION_CLASS = "moa.dlt.exception-class";
  public static final String HEADER_EXCEPTION_MESSAGE = "moa.dlt.exception-message";
  public static final String HEADER_ORIGINAL_TOPIC = "moa.dlt.original-topic";
  public static final String HEADER_ORIGINAL_PARTITION = "moa.dlt.original-partition";
  public static final String HEADER_ORIGINAL_OFFSET = "moa.dlt.original-offset";

  /** Suffix of a topic's dead-letter topic. */
  public static final String SUFFIX = "-dlt";

  private DeadLetters() {}

  /** A copy of {@code original} (may be null) with the {@code moa.dlt.*} headers set. */
  public static Headers headers(
      Headers original, Throwable cause, String topic, int partition, long offset) {
    Headers headers =
        original == null ? new RecordHeaders() : new RecordHeaders(original.toArray());
    put(headers, HEADER_EXCEPTION_CLASS, cause.getClass().getName());
    put(headers, HEADER_EXCEPTION_MESSAGE, Objects.toString(cause.getMessage(), ""));
    put(headers, HEADER_ORIGINAL_TOPIC, topic);
    put(headers, HEADER_ORIGINAL_PARTITION, Integer.toString(partition));
    put(headers, HEADER_ORIGINAL_OFFSET, Long.toString(offset));
    return headers;
  }

  /** The value of a {@code moa.dlt.*} (or any) header as text; null when absent. */
  public static String header(Headers headers, String key) {
    var h = headers.lastHeader(key);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void put(Headers headers, String key, String value) {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
