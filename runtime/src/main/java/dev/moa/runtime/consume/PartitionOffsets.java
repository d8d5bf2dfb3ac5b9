package dev.moa.runtime.consume;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The offsets of one partition that were handed to a handler but have not finished, and the offset
 * that is safe to commit: the lowest unfinished one, or one past the highest dispatched when all
 * are finished (Kafka commits "the next offset to read"). Records may finish in any order; a commit
 * never passes an unfinished record. Not thread-safe: owned by one consumer loop.
 */
public final class PartitionOffsets {

  private final TreeSet<Long> unfinished = new TreeSet<>();
  private long highestDispatched = -1;

  /**
   * Marks {@code offset} as handed out.
   *
   * @return false (and changes nothing) if it was dispatched before: unfinished or already finished
   */
  public boolean dispatch(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset: " + offset + " must be >= 0");
    }
    if (offset <= highestDispatched) {
      return false;
    }
    highestDispatched = offset;
    unfinished.add(offset);
    return true;
  }

  /**
   * Marks {@code offset} as done.
   *
   * @return false (and changes nothing) if it was not dispatched or already finished
   */
  public boolean finish(long offset) {
    return unfinished.remove(offset);
  }

  /** The offset to commit, or empty when nothing was dispatched yet. */
  public OptionalLong committable() {
    if (highestDispatched < 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(unfinished.isEmpty() ? highestDispatched + 1 : unfinished.first());
  }

  public int unfinishedCount() {
    return unfinished.size();
  }

  public long highestDispatched() {
    return highestDispatched;
  }

  @Override
  public String toString() {
    return "PartitionOffsets[committable="
        + committable()
        + ", unfinished="
        + unfinished.size()
        + ", highest="
        + highestDispatched
        + "]";
  }
}
