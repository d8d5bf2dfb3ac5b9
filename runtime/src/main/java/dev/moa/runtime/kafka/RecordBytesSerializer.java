package dev.moa.runtime.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes whatever a dead letter carries: raw bytes as they came (undecodable records), Avro records
 * in single-object encoding (records that decoded but could not be processed), strings as UTF-8.
 */
public final class RecordBytesSerializer implements Serializer<Object> {

  @Override
  public byte[] serialize(String topic, Object data) {
    if (data == null) {
      return null;
    }
    if (data instanceof byte[] bytes) {
      return bytes;
    }
    if (data instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (data instanceof SpecificRecord record) {
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<SpecificRecord>(SpecificData.get(), record.getSchema())
            .encode(record, out);
        return out.toByteArray();
      } catch (IOException e) {
        throw new SerializationException("cannot encode " + record.getSchema().getName(), e);
      }
    }
    throw new SerializationException("cannot write a " + data.getClass() + " to " + topic);
  }
}
