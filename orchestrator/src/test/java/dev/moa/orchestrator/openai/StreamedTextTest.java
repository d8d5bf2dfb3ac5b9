package dev.moa.orchestrator.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AnswerChunk;
import org.junit.jupiter.api.Test;

class StreamedTextTest {

  private static AnswerChunk chunk(int seq, String delta) {
    return new AnswerChunk("r", seq, delta, false);
  }

  @Test
  void chunksInOrderPassThroughAndTheAnswerAddsNothing() {
    StreamedText t = new StreamedText();

    assertThat(t.onChunk(chunk(0, "Par"))).isEqualTo("Par");
    assertThat(t.onChunk(chunk(1, "is"))).isEqualTo("is");
    assertThat(t.onChunk(chunk(2, ""))).isEmpty();
    assertThat(t.remainder("Paris")).isEmpty();
  }

  @Test
  void aRetryRestartingAtSeqZeroSendsOnlyWhatIsNew() {
    StreamedText t = new StreamedText();
    t.onChunk(chunk(0, "Par"));
    t.onChunk(chunk(1, "is"));

    assertThat(t.onChunk(chunk(0, "Pa"))).isEmpty();
    assertThat(t.onChunk(chunk(1, "ris"))).isEmpty();
    assertThat(t.onChunk(chunk(2, " is big."))).isEqualTo(" is big.");
    assertThat(t.remainder("Paris is big.")).isEmpty();
  }

  @Test
  void aDivergingRetrySendsNothingMoreThanTheSentBeginning() {
    StreamedText t = new StreamedText();
    t.onChunk(chunk(0, "Paris"));

    assertThat(t.onChunk(chunk(0, "Lyon is"))).isEmpty();
    assertThat(t.remainder("Lyon is nice.")).isEmpty();
    assertThat(t.agreesWith("Lyon is nice.")).isFalse();
  }

  @Test
  void aLostChunkStopsTheLiveTextAndTheAnswerCompletesIt() {
    StreamedText t = new StreamedText();
    t.onChunk(chunk(0, "Par"));

    assertThat(t.onChunk(chunk(2, "big"))).isEmpty();
    assertThat(t.onChunk(chunk(3, "ger"))).isEmpty();
    assertThat(t.remainder("Paris bigger")).isEqualTo("is bigger");
  }

  @Test
  void withoutChunksTheWholeAnswerIsTheRemainder() {
    assertThat(new StreamedText().remainder("All of it.")).isEqualTo("All of it.");
  }
}
