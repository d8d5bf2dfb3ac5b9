package dev.moa.runtime.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionOffsetsTest {

  final PartitionOffsets offsets = new PartitionOffsets();

  private void dispatch(long... dispatched) {
    for (long o : dispatched) {
      assertThat(offsets.dispatch(o)).isTrue();
    }
  }

  @Test
  void nothingDispatchedHasNothingToCommit() {
    assertThat(offsets.committable()).isEmpty();
    assertThat(offsets.unfinishedCount()).isZero();
  }

  @Test
  void dispatchedButUnfinishedCommitsNothingPastTheFirstRecord() {
    dispatch(7, 8, 9);

    assertThat(offsets.committable()).hasValue(7);
  }

  @Test
  void finishingEverythingCommitsOnePastTheHighestDispatched() {
    dispatch(0, 1, 2);
    offsets.finish(0);
    offsets.finish(1);
    offsets.finish(2);

    assertThat(offsets.committable()).hasValue(3);
    assertThat(offsets.unfinishedCount()).isZero();
  }

  @Test
  void outOfOrderCompletionCommitsOnlyTheContiguousFinishedPrefix() {
    dispatch(0, 1, 2, 3, 4);

    offsets.finish(3);
    offsets.finish(1);
    assertThat(offsets.committable()).hasValue(0);

    offsets.finish(0);
    assertThat(offsets.committable()).hasValue(2);

    offsets.finish(4);
    assertThat(offsets.committable()).hasValue(2);

    offsets.finish(2);
    assertThat(offsets.committable()).hasValue(5);
  }

  @Test
  void gapsInTheOffsetsDoNotHoldBackTheCommit() {
    // Transaction markers and compaction leave offsets that are never delivered.
    dispatch(10, 12, 15);

    offsets.finish(10);
    assertThat(offsets.committable()).hasValue(12);

    offsets.finish(15);
    assertThat(offsets.committable()).hasValue(12);

    offsets.finish(12);
    assertThat(offsets.committable()).hasValue(16);
  }

  @Test
  void finishingTwiceOrFinishingWhatWasNeverDispatchedChangesNothing() {
    dispatch(0, 1);

    assertThat(offsets.finish(0)).isTrue();
    assertThat(offsets.finish(0)).isFalse();
    assertThat(offsets.finish(42)).isFalse();

    assertThat(offsets.committable()).hasValue(1);
    assertThat(offsets.unfinishedCount()).isEqualTo(1);
  }

  @Test
  void dispatchingAnOffsetAgainIsIgnoredEvenAfterItFinished() {
    dispatch(0, 1);
    offsets.finish(0);

    assertThat(offsets.dispatch(0)).isFalse();
    assertThat(offsets.dispatch(1)).isFalse();

    assertThat(offsets.committable()).hasValue(1);
    assertThat(offsets.unfinishedCount()).isEqualTo(1);
    assertThat(offsets.highestDispatched()).isEqualTo(1);
  }

  @Test
  void negativeOffsetIsRejected() {
    assertThatThrownBy(() -> offsets.dispatch(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offset: -1 must be >= 0");
    assertThat(offsets.committable()).isEqualTo(OptionalLong.empty());
  }
}
