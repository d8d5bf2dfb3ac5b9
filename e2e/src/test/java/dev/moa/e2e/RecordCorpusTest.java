package dev.moa.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every raw-record corpus entry is refused by its topic's consumer serde with the clear error. */
class RecordCorpusTest {

  static List<RecordCorpus.Entry> entries() throws IOException {
    return RecordCorpus.entries();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void theTopicsConsumerRefusesTheEntryNamingTheFieldAndValue(RecordCorpus.Entry e) {
    if (e.value() == null) {
      // No bytes to decode: every consumer dead-letters a record without value as such.
      assertThat(e.expect()).isEqualTo("record has no value");
      return;
    }
    SerializationException error =
        catchThrowableOfType(
            SerializationException.class,
            () -> RecordCorpus.consumerSerde(e.topic()).fromBytes(e.value()));
    assertThat(error).as(e.name() + " must be refused").isNotNull();
    assertThat(error.getMessage()).contains(e.expect());
  }

  @Test
  void theCorpusCoversEveryConsumedTopicAndEveryKind() throws IOException {
    List<RecordCorpus.Entry> all = RecordCorpus.entries();
    assertThat(all).hasSizeGreaterThanOrEqualTo(30);
    assertThat(all).extracting(RecordCorpus.Entry::name).doesNotHaveDuplicates();
    Map<String, Long> byKind =
        all.stream()
            .collect(Collectors.groupingBy(RecordCorpus.Entry::kind, Collectors.counting()));
    assertThat(byKind.keySet())
        .containsExactlyInAnyOrder("undecodable", "unknown-fingerprint", "impossible");
    assertThat(all)
        .extracting(RecordCorpus.Entry::topic)
        .contains(
            "moa.requests",
            "moa.agent-tasks",
            "moa.agent-results",
            "moa.aggregate-tasks",
            "moa.answers",
            "moa.runs");
  }

  @Test
  void theBaseRecordsTheEntriesBreakAreAcceptedAsTheyAre() {
    for (String topic :
        List.of(
            "moa.requests",
            "moa.agent-tasks",
            "moa.agent-results",
            "moa.aggregate-tasks",
            "moa.answers",
            "moa.runs")) {
      @SuppressWarnings({"unchecked", "rawtypes"})
      dev.moa.protocol.serde.AvroSerde serde = RecordCorpus.consumerSerde(topic);
      @SuppressWarnings("unchecked")
      byte[] bytes = serde.toBytes(RecordCorpus.base(topic));
      assertThatCode(() -> serde.fromBytes(bytes)).as(topic).doesNotThrowAnyException();
    }
  }
}
