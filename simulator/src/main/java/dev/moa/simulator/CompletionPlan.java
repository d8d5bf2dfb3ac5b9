package dev.moa.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * When each streamed chunk goes out, as offsets from the arrival of the request. Pure arithmetic.
 *
 * <p>With {@code scale = timeScale}, token {@code i} (0-based) is ready at {@code (ttft + i/tps) *
 * scale}, and the response finishes at {@code (ttft + n/tps) * scale}. The first chunk goes out
 * when the first token is ready; later chunks go out {@value #CHUNK_INTERVAL_NANOS} ns apart (or
 * when the next token is ready, if that is later) and carry every token ready by then, so a fast
 * profile needs one timer per chunk, not per token. When tokens are all ready at once (timeScale 0
 * or infinite speed) they are split into chunks of {@value #BURST_CHUNK_TOKENS} so a stream still
 * has several content chunks.
 */
public record CompletionPlan(List<Chunk> chunks, long firstTokenNanos, long finishNanos) {

  public static final long CHUNK_INTERVAL_NANOS = 20_000_000L;
  public static final int BURST_CHUNK_TOKENS = 8;

  /** Tokens {@code [fromToken, toToken)} go out at {@code offsetNanos}. */
  public record Chunk(long offsetNanos, int fromToken, int toToken) {
    public int tokenCount() {
      return toToken - fromToken;
    }
  }

  public CompletionPlan {
    chunks = List.copyOf(chunks);
  }

  public static CompletionPlan schedule(int tokenCount, Profile profile, double timeScale) {
    if (tokenCount < 1) {
      throw new IllegalArgumentException("tokenCount: " + tokenCount + " must be >= 1");
    }
    double ttftNanos = profile.ttftSeconds() * timeScale * 1e9;
    double perTokenNanos =
        timeScale == 0 || Double.isInfinite(profile.tokensPerSecond())
            ? 0
            : timeScale * 1e9 / profile.tokensPerSecond();
    long last = ready(tokenCount - 1, ttftNanos, perTokenNanos);
    List<Chunk> chunks = new ArrayList<>();
    int next = 0;
    long previous = 0;
    while (next < tokenCount) {
      long due = ready(next, ttftNanos, perTokenNanos);
      long at =
          chunks.isEmpty() ? due : Math.max(due, Math.min(previous + CHUNK_INTERVAL_NANOS, last));
      int end = next + 1;
      while (end < tokenCount && ready(end, ttftNanos, perTokenNanos) <= at) {
        end++;
      }
      if (perTokenNanos == 0) {
        end = Math.min(end, next + BURST_CHUNK_TOKENS);
      }
      chunks.add(new Chunk(at, next, end));
      previous = at;
      next = end;
    }
    long finish = Math.round(ttftNanos + tokenCount * perTokenNanos);
    return new CompletionPlan(chunks, chunks.get(0).offsetNanos(), Math.max(finish, previous));
  }

  private static long ready(int token, double ttftNanos, double perTokenNanos) {
    return Math.round(ttftNanos + token * perTokenNanos);
  }

  /** True when nothing in this plan needs to wait. */
  public boolean immediate() {
    return finishNanos == 0;
  }
}
