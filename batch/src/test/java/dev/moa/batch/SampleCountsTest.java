package dev.moa.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.serde.Serdes;
import org.junit.jupiter.api.Test;

class SampleCountsTest {

  @Test
  void pendingIsTotalLessGradedAndFailed() {
    assertThat(new RunEngine.SampleCounts(10, 7, 5, 3, 2).pending()).isEqualTo(5);
    assertThat(new RunEngine.SampleCounts(2, 2, 2, 2, 1).pending()).isZero();
  }

  @Test
  void countsTravelOnTheRunStateAndOldRecordsDecodeWithZeros() {
    RunState base = RunsTopic.state("run-1", RunStatus.RUNNING, "data.jsonl", "workshop", 10, null);
    RunState withCounts = new RunEngine.SampleCounts(10, 7, 5, 3, 2).applyTo(base);

    RunState decoded = Serdes.RUN_STATE.fromBytes(Serdes.RUN_STATE.toBytes(withCounts));
    assertThat(decoded.getSubmitted()).isEqualTo(7);
    assertThat(decoded.getAnswered()).isEqualTo(5);
    assertThat(decoded.getGraded()).isEqualTo(3);
    assertThat(decoded.getFailed()).isEqualTo(2);
    assertThat(decoded.getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(base.getSubmitted()).as("a state without counts").isZero();
  }

  @Test
  void aRunStateWrittenBeforeTheCountsExistedDecodesWithZeroCounts() throws Exception {
    org.apache.avro.Schema old;
    try (var in =
        RunState.class.getResourceAsStream("/dev/moa/protocol/history/RunState-0.1.avsc")) {
      old = new org.apache.avro.Schema.Parser().parse(in);
    }
    var record =
        new org.apache.avro.generic.GenericRecordBuilder(old)
            .set("run_id", "old-run")
            .set(
                "status",
                new org.apache.avro.generic.GenericData.EnumSymbol(
                    old.getField("status").schema(), "RUNNING"))
            .set("total", 4)
            .set("updated_at_ms", 5L)
            .build();
    byte[] bytes =
        new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), old)
            .encode(record)
            .array();

    RunState decoded = Serdes.RUN_STATE.fromBytes(bytes);

    assertThat(decoded.getTotal()).isEqualTo(4);
    assertThat(decoded.getSubmitted()).isZero();
    assertThat(decoded.getGraded()).isZero();
  }
}
