package dev.moa.protocol.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SerdesTest {

  static Stream<Arguments> everyRecordType() {
    return Stream.of(
        Arguments.of(Serdes.REQUEST, Fixtures.request()),
        Arguments.of(Serdes.AGENT_TASK, Fixtures.agentTask()),
        Arguments.of(Serdes.AGENT_RESULT, Fixtures.agentResult()),
        Arguments.of(Serdes.AGGREGATE_TASK, Fixtures.aggregateTask()),
        Arguments.of(Serdes.FINAL_ANSWER, Fixtures.finalAnswer()),
        Arguments.of(Serdes.ANSWER_CHUNK, Fixtures.answerChunk()),
        Arguments.of(Serdes.GRADE, Fixtures.grade()),
        Arguments.of(Serdes.REQUEST_STATE, Fixtures.requestState()),
        Arguments.of(Serdes.RUN_STATE, Fixtures.runState()),
        Arguments.of(Serdes.CACHED_RESPONSE, Fixtures.cachedResponse()));
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> AvroSerde<T> cast(AvroSerde<?> serde) {
    return (AvroSerde<T>) serde;
  }

  @Test
  void everySerdeInSerdesIsCoveredHere() {
    long declared =
        Arrays.stream(Serdes.class.getFields())
            .filter(f -> AvroSerde.class.isAssignableFrom(f.getType()))
            .count();

    assertThat(everyRecordType().count()).isEqualTo(declared);
  }

  @ParameterizedTest
  @MethodSource("everyRecordType")
  <T extends SpecificRecord> void recordSurvivesARoundTrip(AvroSerde<?> anySerde, T value) {
    AvroSerde<T> serde = cast(anySerde);

    T decoded = serde.fromBytes(serde.toBytes(value));

    assertThat(decoded).isEqualTo(value);
    assertThat(decoded.getClass()).isEqualTo(serde.type());
  }

  @ParameterizedTest
  @MethodSource("everyRecordType")
  <T extends SpecificRecord> void kafkaSerializerAndDeserializerRoundTrip(
      AvroSerde<?> anySerde, T value) {
    AvroSerde<T> serde = cast(anySerde);

    byte[] bytes = serde.serializer().serialize("moa.any", value);

    assertThat(serde.deserializer().deserialize("moa.any", bytes)).isEqualTo(value);
  }

  @ParameterizedTest
  @MethodSource("everyRecordType")
  <T extends SpecificRecord> void bytesAreSingleObjectEncodedWithTheSchemaFingerprint(
      AvroSerde<?> anySerde, T value) {
    AvroSerde<T> serde = cast(anySerde);

    byte[] bytes = serde.toBytes(value);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(value.getSchema()));
  }

  @ParameterizedTest
  @MethodSource("everyRecordType")
  <T extends SpecificRecord> void nullPassesThroughTheKafkaSerdeAsNull(
      AvroSerde<?> anySerde, T value) {
    AvroSerde<T> serde = cast(anySerde);

    assertThat(serde.serializer().serialize("moa.any", null)).isNull();
    assertThat(serde.deserializer().deserialize("moa.any", null)).isNull();
  }

  @Test
  void unknownSchemaFingerprintIsASerializationExceptionNamingTheType() {
    byte[] bytes = Serdes.AGENT_RESULT.toBytes(Fixtures.agentResult());
    bytes[2] ^= 0x5A; // corrupt the fingerprint

    assertThatThrownBy(() -> Serdes.AGENT_RESULT.fromBytes(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot decode AgentResult (" + bytes.length + " bytes): ");
  }

  @Test
  void garbageBytesAreASerializationExceptionNamingTheType() {
    byte[] garbage = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B};

    assertThatThrownBy(() -> Serdes.GRADE.deserializer().deserialize("moa.grades", garbage))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot decode Grade (11 bytes): ");
  }

  @Test
  void tooShortForAHeaderIsASerializationExceptionNamingTheType() {
    assertThatThrownBy(() -> Serdes.REQUEST.fromBytes(new byte[] {(byte) 0xC3}))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot decode MoaRequest (1 bytes): ");
  }

  @Test
  void truncatedBodyIsASerializationExceptionNamingTheType() {
    byte[] bytes = Serdes.FINAL_ANSWER.toBytes(Fixtures.finalAnswer());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

    assertThatThrownBy(() -> Serdes.FINAL_ANSWER.fromBytes(truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot decode FinalAnswer (" + truncated.length + " bytes): ");
  }

  @Test
  void recordOfAnotherTypeIsASerializationException() {
    byte[] gradeBytes = Serdes.GRADE.toBytes(Fixtures.grade());

    assertThatThrownBy(() -> Serdes.AGENT_RESULT.fromBytes(gradeBytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot decode AgentResult");
  }
}
