package dev.moa.protocol.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AggregationMode;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.LayerKind;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RequestState;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Records written before MoA shapes (the *-0.2 schemas in the history) still decode with today's
 * serdes, the new fields at their defaults: a stack upgraded with requests in flight keeps them.
 */
class ShapeSchemaHistoryTest {

  @BeforeAll
  static void trust() {
    AvroTrust.install();
  }

  private static Schema history(String file) throws Exception {
    try (InputStream in =
        SchemaHistory.class.getResourceAsStream("/dev/moa/protocol/history/" + file)) {
      return new Schema.Parser().parse(in);
    }
  }

  /**
   * Today's record as the 0.2 writer ({@code history/<file>}) would have written it, decoded by
   * today's serde: read as 0.2, encoded with 0.2, then read back.
   */
  private static <T extends SpecificRecord> T viaOldWriter(
      T current, AvroSerde<T> serde, String file) throws Exception {
    Schema old = history(file);
    BinaryMessageDecoder<GenericRecord> oldReader =
        new BinaryMessageDecoder<>(GenericData.get(), old);
    oldReader.addSchema(current.getSchema());
    GenericRecord asOld = oldReader.decode(serde.toBytes(current));
    ByteBuffer buffer =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(asOld);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return serde.fromBytes(bytes);
  }

  @Test
  void aRequestWrittenBeforeShapesRunsAsPlainLayers() throws Exception {
    MoaRequest current = Fixtures.request();
    MoaRequest decoded = viaOldWriter(current, Serdes.REQUEST, "MoaRequest-0.2.avsc");

    assertThat(decoded.getConfig().getLayers()).allMatch(l -> l.getKind() == LayerKind.AGENTS);
    assertThat(decoded.getConfig().getAggregation()).isEqualTo(AggregationMode.SYNTHESIZE);
    assertThat(decoded.getRequestId()).isEqualTo(current.getRequestId());
  }

  @Test
  void stateAnswersAndAggregateTasksWrittenBeforeShapesDecodeAtRoundZero() throws Exception {
    RequestState state = Fixtures.requestState();
    RequestState s = viaOldWriter(state, Serdes.REQUEST_STATE, "RequestState-0.2.avsc");
    assertThat(s.getRound()).isZero();
    assertThat(s.getRequestId()).isEqualTo(state.getRequestId());

    FinalAnswer answer = Fixtures.finalAnswer();
    FinalAnswer a = viaOldWriter(answer, Serdes.FINAL_ANSWER, "FinalAnswer-0.2.avsc");
    assertThat(a.getLayers())
        .flatMap(l -> l)
        .allMatch(o -> o.getRound() == 0 && o.getVerdict() == null);
    assertThat(a.getAnswer()).isEqualTo(answer.getAnswer());

    AggregateTask task = Fixtures.aggregateTask();
    AggregateTask t = viaOldWriter(task, Serdes.AGGREGATE_TASK, "AggregateTask-0.2.avsc");
    assertThat(t.getAggregation()).isEqualTo(AggregationMode.SYNTHESIZE);
    assertThat(t.getCandidates()).isEmpty();
  }
}
