package dev.moa.protocol.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding (marker C3 01, 8-byte schema fingerprint, body) as a Kafka serde. The
 * decoder knows the current schema and every historical one in {@link SchemaHistory}, so a reader
 * resolves records from older (or newer, compatible) writers without a registry.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  private final Consumer<? super T> check;

  public AvroSerde(
      Class<T> type, BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder) {
    this(type, encoder, decoder, t -> {});
  }

  private AvroSerde(
      Class<T> type,
      BinaryMessageEncoder<T> encoder,
      BinaryMessageDecoder<T> decoder,
      Consumer<? super T> check) {
    this.type = type;
    this.encoder = encoder;
    this.decoder = decoder;
    this.check = check;
  }

  /**
   * The same serde whose {@link #fromBytes} also runs {@code check} on every decoded record; the
   * check throws a {@link SerializationException} (such as {@link InvalidRecordException}) to
   * refuse it.
   */
  public AvroSerde<T> withCheck(Consumer<? super T> check) {
    return new AvroSerde<>(type, encoder, decoder, check);
  }

  public Class<T> type() {
    return type;
  }

  public byte[] toBytes(T value) {
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decodes one record.
   *
   * @throws SerializationException naming the type and the cause (bad marker, unknown fingerprint,
   *     truncated body), or the check's exception (an {@link InvalidRecordException} names the
   *     field and the bad value)
   */
  public T fromBytes(byte[] bytes) {
    T value;
    try {
      value = decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode " + type.getSimpleName() + " (" + bytes.length + " bytes): " + e, e);
    }
    check.accept(value);
    return value;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : toBytes(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
  }
}
