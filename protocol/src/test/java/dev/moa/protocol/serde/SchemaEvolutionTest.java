package dev.moa.protocol.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.Usage;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AgentResult as an older release wrote it (before {@code finish_reason} and {@code simulated}),
 * read by today's code and the other way round.
 */
class SchemaEvolutionTest {

  @BeforeAll
  static void trustGeneratedRecords() {
    // Resolving an older writer schema instantiates generated classes, which Avro 1.12 allows only
    // for trusted ones (Serdes does this too).
    AvroTrust.install();
  }

  private static Schema oldSchema() throws Exception {
    try (InputStream in =
        SchemaEvolutionTest.class.getResourceAsStream("AgentResult-before-finish-reason.avsc")) {
      return new Schema.Parser().parse(in);
    }
  }

  private static GenericRecord oldRecord(Schema old) {
    Schema usage = old.getField("usage").schema();
    Schema timings = old.getField("timings").schema();
    return new GenericRecordBuilder(old)
        .set("task_id", "req-9/L0/A1/0")
        .set("request_id", "req-9")
        .set("layer", 0)
        .set("agent_index", 1)
        .set("agent_name", "layer_agent_2")
        .set("model", "qwen-3-32b")
        .set("provider", "cerebras")
        .set("status", new GenericData.EnumSymbol(old.getField("status").schema(), "SUCCEEDED"))
        .set("content", "Paris is the capital.")
        .set("error", null)
        .set(
            "usage",
            new GenericRecordBuilder(usage)
                .set("prompt_tokens", 15)
                .set("completion_tokens", 6)
                .build())
        .set(
            "timings",
            new GenericRecordBuilder(timings)
                .set("ttft_ms", 50L)
                .set("duration_ms", 400L)
                .set("provider_time_info", Map.of("total_time", 0.4))
                .set("attempts", 1)
                .build())
        .set("attempt", 0)
        .set("completed_at_ms", 1_700_000_000_400L)
        .build();
  }

  private static byte[] encodeOld(Schema old, GenericRecord record) throws Exception {
    ByteBuffer buffer =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(record);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @Test
  void oldSchemaIsTheCurrentOneWithoutFinishReasonAndSimulated() throws Exception {
    Schema old = oldSchema();
    Schema current = AgentResult.getClassSchema();

    assertThat(old.getFullName()).isEqualTo(current.getFullName());
    List<String> currentMinusTwo =
        current.getFields().stream()
            .map(Schema.Field::name)
            .filter(
                n -> !n.equals("finish_reason") && !n.equals("simulated") && !n.equals("cached"))
            .toList();
    assertThat(old.getFields()).extracting(Schema.Field::name).isEqualTo(currentMinusTwo);
    for (Schema.Field field : old.getFields()) {
      assertThat(field.schema()).isEqualTo(current.getField(field.name()).schema());
    }
  }

  @Test
  void oldWriterNewReaderFillsMissingFieldsWithTheirDefaults() throws Exception {
    Schema old = oldSchema();
    byte[] bytes = encodeOld(old, oldRecord(old));
    SchemaStore.Cache store = new SchemaStore.Cache();
    store.addSchema(old);

    AgentResult result = AgentResult.createDecoder(store).decode(bytes);

    assertThat(result.getFinishReason()).isNull();
    assertThat(result.getSimulated()).isFalse();
    assertThat(result.getAgentName()).isEqualTo("layer_agent_2");
    assertThat(result.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    assertThat(result.getContent()).isEqualTo("Paris is the capital.");
    assertThat(result.getUsage()).isEqualTo(new Usage(15, 6));
    assertThat(result.getTimings().getProviderTimeInfo()).containsEntry("total_time", 0.4);
    assertThat(result.getCompletedAtMs()).isEqualTo(1_700_000_000_400L);
  }

  @Test
  void oldWriterBytesNeedTheOldSchemaInTheHistory() throws Exception {
    Schema old = oldSchema();
    byte[] bytes = encodeOld(old, oldRecord(old));

    // The shipped history is empty (0.1 is the first release), so today's serde cannot resolve it.
    assertThatThrownBy(() -> Serdes.AGENT_RESULT.fromBytes(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot decode AgentResult");
  }

  @Test
  void newWriterOldReaderIgnoresTheNewFields() throws Exception {
    Schema old = oldSchema();
    AgentResult current = Fixtures.agentResult();
    byte[] bytes = Serdes.AGENT_RESULT.toBytes(current);
    BinaryMessageDecoder<GenericRecord> oldDecoder =
        new BinaryMessageDecoder<>(GenericData.get(), old);
    oldDecoder.addSchema(AgentResult.getClassSchema());

    GenericRecord record = oldDecoder.decode(bytes);

    assertThat(record.getSchema()).isEqualTo(old);
    assertThat(record.getSchema().getField("finish_reason")).isNull();
    assertThat(record.getSchema().getField("simulated")).isNull();
    assertThat(record.get("task_id").toString()).isEqualTo(current.getTaskId());
    assertThat(record.get("content").toString()).isEqualTo(current.getContent());
    assertThat(record.get("status").toString()).isEqualTo("FAILED");
    assertThat(((GenericRecord) record.get("error")).get("http_status")).isEqualTo(429);
    assertThat(record.get("attempt")).isEqualTo(current.getAttempt());
    assertThat(record.get("completed_at_ms")).isEqualTo(current.getCompletedAtMs());
  }
}
