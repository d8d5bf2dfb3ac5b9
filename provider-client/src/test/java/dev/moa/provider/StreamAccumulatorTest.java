package dev.moa.provider;

import static dev.moa.provider.StubServer.chunk;
import static dev.moa.provider.StubServer.finish;
import static dev.moa.provider.StubServer.usage;
import static dev.moa.provider.StubServer.usageWithTimeInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StreamAccumulatorTest {
  private final StreamAccumulator acc = new StreamAccumulator(JsonMapper.builder().build());

  @Test
  void assemblesContentUsageTimeInfoAndFinishReason() {
    List<String> deltas = new ArrayList<>();
    for (String data :
        List.of(
            "{\"id\":\"x\",\"model\":\"llama-3.3-70b\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}",
            chunk("Hel"),
            chunk("lo, "),
            chunk("world"),
            finish("stop"),
            usageWithTimeInfo(21, 7),
            "[DONE]")) {
      deltas.add(acc.accept(data));
    }
    assertThat(deltas).containsExactly("", "Hel", "lo, ", "world", "", "", "");
    assertThat(acc.isDone()).isTrue();
    StreamAccumulator.Completion c = acc.finish();
    assertThat(c.content()).isEqualTo("Hello, world");
    assertThat(c.usage()).isEqualTo(new Usage(21, 7));
    assertThat(c.finishReason()).isEqualTo("stop");
    assertThat(c.model()).isEqualTo("stub-model");
    assertThat(c.timeInfo())
        .containsEntry("queue_time", 0.0005)
        .containsEntry("total_time", 0.06)
        .containsEntry("created", 1.7e9)
        .hasSize(5);
  }

  @Test
  void missingUsageLeavesZeros() {
    acc.accept(chunk("a"));
    acc.accept(finish("length"));
    acc.accept("[DONE]");
    StreamAccumulator.Completion c = acc.finish();
    assertThat(c.usage()).isEqualTo(Usage.ZERO);
    assertThat(c.finishReason()).isEqualTo("length");
    assertThat(c.timeInfo()).isEmpty();
  }

  @Test
  void finishReasonWithoutDoneIsComplete() {
    acc.accept(chunk("a"));
    acc.accept(finish("stop"));
    acc.accept(usage(3, 1));
    assertThat(acc.isDone()).isFalse();
    assertThat(acc.finish().usage()).isEqualTo(new Usage(3, 1));
  }

  @Test
  void doneWithoutFinishReasonIsComplete() {
    acc.accept(chunk("a"));
    acc.accept(" [DONE] ");
    assertThat(acc.finish().finishReason()).isNull();
    assertThat(acc.accept(chunk("ignored after done"))).isEmpty();
    assertThat(acc.content()).isEqualTo("a");
  }

  @Test
  void truncatedStream() {
    acc.accept(chunk("partial"));
    AttemptFailure f = catchThrowableOfType(AttemptFailure.class, acc::finish);
    assertThat(f.errorClass()).isEqualTo(ErrorClass.TRUNCATED_STREAM);
    assertThat(f.getMessage()).contains("[DONE]");
  }

  @Test
  void emptyStreamIsTruncated() {
    assertThatThrownBy(acc::finish)
        .isInstanceOfSatisfying(
            AttemptFailure.class,
            f -> assertThat(f.errorClass()).isEqualTo(ErrorClass.TRUNCATED_STREAM));
  }

  @Test
  void malformedChunk() {
    acc.accept(chunk("ok"));
    AttemptFailure f =
        catchThrowableOfType(AttemptFailure.class, () -> acc.accept("{\"choices\":[{\"delta\""));
    assertThat(f.errorClass()).isEqualTo(ErrorClass.MALFORMED_STREAM);
    assertThat(f.getMessage()).contains("not JSON");

    AttemptFailure notObject =
        catchThrowableOfType(
            AttemptFailure.class,
            () -> new StreamAccumulator(JsonMapper.builder().build()).accept("[1,2]"));
    assertThat(notObject.errorClass()).isEqualTo(ErrorClass.MALFORMED_STREAM);
  }

  @Test
  void blankDataAndNullContentAreIgnored() {
    assertThat(acc.accept("")).isEmpty();
    assertThat(acc.accept("{\"choices\":[{\"index\":0,\"delta\":{\"content\":null}}]}")).isEmpty();
    assertThat(acc.accept("{\"choices\":[]}")).isEmpty();
    assertThat(acc.content()).isEmpty();
  }

  @Test
  void errorObjectWithCode() {
    AttemptFailure f =
        catchThrowableOfType(
            AttemptFailure.class,
            () -> acc.accept("{\"error\":{\"message\":\"upstream overloaded\",\"code\":503}}"));
    assertThat(f.errorClass()).isEqualTo(ErrorClass.HTTP_5XX);
    assertThat(f.httpStatus()).isEqualTo(503);
    assertThat(f.getMessage()).contains("upstream overloaded");

    AttemptFailure rate =
        catchThrowableOfType(
            AttemptFailure.class,
            () ->
                new StreamAccumulator(JsonMapper.builder().build())
                    .accept("{\"error\":{\"message\":\"slow down\",\"code\":\"429\"}}"));
    assertThat(rate.errorClass()).isEqualTo(ErrorClass.HTTP_429);
  }

  @Test
  void errorObjectWithoutCodeIsServerSide() {
    AttemptFailure f =
        catchThrowableOfType(
            AttemptFailure.class,
            () -> acc.accept("{\"error\":{\"message\":\"boom\",\"code\":\"server_error\"}}"));
    assertThat(f.errorClass()).isEqualTo(ErrorClass.HTTP_5XX);
    assertThat(f.httpStatus()).isNull();
    assertThat(f.getMessage()).contains("boom");

    AttemptFailure unclear =
        catchThrowableOfType(
            AttemptFailure.class,
            () -> new StreamAccumulator(JsonMapper.builder().build()).accept("{\"error\":{}}"));
    assertThat(unclear.errorClass()).isEqualTo(ErrorClass.INTERNAL);
  }

  @Test
  void nonStreamedCompletionIsAccepted() {
    String body =
        "{\"model\":\"m1\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"whole answer\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}";
    assertThat(acc.accept(body)).isEqualTo("whole answer");
    StreamAccumulator.Completion c = acc.finish();
    assertThat(c.content()).isEqualTo("whole answer");
    assertThat(c.usage()).isEqualTo(new Usage(4, 2));
    assertThat(c.model()).isEqualTo("m1");
  }

  @Test
  void failureMessagesAreRedacted() {
    StreamAccumulator redacting =
        new StreamAccumulator(JsonMapper.builder().build(), s -> s.replace("sk-SECRET", "***"));
    AttemptFailure f =
        catchThrowableOfType(
            AttemptFailure.class,
            () -> redacting.accept("{\"error\":{\"message\":\"bad key sk-SECRET\"}}"));
    assertThat(f.getMessage()).doesNotContain("sk-SECRET").contains("***");
  }
}
