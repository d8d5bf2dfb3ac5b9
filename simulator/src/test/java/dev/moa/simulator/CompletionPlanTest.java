package dev.moa.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.moa.simulator.CompletionPlan.Chunk;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionPlanTest {

  private static final long MS = 1_000_000L;

  @Test
  void cerebrasSendsFirstTokenAtTtftThenBatchesEvery20ms() {
    // ttft 170 ms, 0.5 ms per token: token i is ready at 170 + 0.5 i ms.
    CompletionPlan plan = CompletionPlan.schedule(100, Profile.CEREBRAS, 1.0);
    assertThat(plan.chunks())
        .containsExactly(
            new Chunk(170 * MS, 0, 1),
            new Chunk(190 * MS, 1, 41),
            new Chunk(210 * MS, 41, 81),
            new Chunk(219_500_000L, 81, 100)); // the last token, not the next 20 ms tick
    assertThat(plan.firstTokenNanos()).isEqualTo(170 * MS);
    assertThat(plan.finishNanos()).isEqualTo(220 * MS); // (0.17 + 100 / 2000) s
  }

  @Test
  void gpuProfileWaitsForSlowTokens() {
    // ttft 500 ms, 12.5 ms per token.
    CompletionPlan plan = CompletionPlan.schedule(4, Profile.GPU, 1.0);
    assertThat(plan.chunks())
        .containsExactly(
            new Chunk(500 * MS, 0, 1), new Chunk(520 * MS, 1, 2), new Chunk(537_500_000L, 2, 4));
    assertThat(plan.finishNanos()).isEqualTo(550 * MS);
  }

  @Test
  void timeScaleMultipliesEveryOffset() {
    // Half the time: ttft 250 ms, 6.25 ms per token.
    CompletionPlan plan = CompletionPlan.schedule(4, Profile.GPU, 0.5);
    assertThat(plan.chunks())
        .containsExactly(
            new Chunk(250 * MS, 0, 1), new Chunk(268_750_000L, 1, 4)); // last token at 268.75
    assertThat(plan.finishNanos()).isEqualTo(275 * MS);

    CompletionPlan slow = CompletionPlan.schedule(160, Profile.CEREBRAS, 10.0);
    assertThat(slow.firstTokenNanos()).isEqualTo(1_700 * MS);
    assertThat(slow.finishNanos()).isEqualTo(2_500 * MS); // (0.17 + 160 / 2000) * 10 s
  }

  @Test
  void tokensSlowerThanTheChunkIntervalGoOneByOne() {
    CompletionPlan plan = CompletionPlan.schedule(3, new Profile("slow", 1.0, 10), 1.0);
    assertThat(plan.chunks())
        .containsExactly(
            new Chunk(1_000 * MS, 0, 1), new Chunk(1_100 * MS, 1, 2), new Chunk(1_200 * MS, 2, 3));
    assertThat(plan.finishNanos()).isEqualTo(1_300 * MS);
  }

  @Test
  void instantProfileAndZeroTimeScaleHaveNoDelaysButSeveralChunks() {
    for (CompletionPlan plan :
        List.of(
            CompletionPlan.schedule(20, Profile.INSTANT, 1.0),
            CompletionPlan.schedule(20, Profile.GPU, 0.0),
            CompletionPlan.schedule(20, Profile.INSTANT, 5.0))) {
      assertThat(plan.chunks())
          .containsExactly(new Chunk(0, 0, 8), new Chunk(0, 8, 16), new Chunk(0, 16, 20));
      assertThat(plan.finishNanos()).isZero();
      assertThat(plan.immediate()).isTrue();
    }
  }

  @Test
  void infiniteSpeedWithTtftSendsEverythingAtTtft() {
    CompletionPlan plan =
        CompletionPlan.schedule(10, new Profile("burst", 0.3, Double.POSITIVE_INFINITY), 1.0);
    assertThat(plan.chunks())
        .containsExactly(new Chunk(300 * MS, 0, 8), new Chunk(300 * MS, 8, 10));
    assertThat(plan.finishNanos()).isEqualTo(300 * MS);
  }

  @Test
  void chunksCoverAllTokensInOrderAtLeast20msApart() {
    for (Profile profile : List.of(Profile.CEREBRAS, Profile.GPU, new Profile("x", 0.05, 333))) {
      for (double scale : new double[] {0.01, 0.3, 1, 7}) {
        for (int n : new int[] {1, 2, 30, 97, 160}) {
          CompletionPlan plan = CompletionPlan.schedule(n, profile, scale);
          List<Chunk> chunks = plan.chunks();
          double ttft = profile.ttftSeconds() * scale * 1e9;
          double perToken = scale * 1e9 / profile.tokensPerSecond();
          long lastReady = Math.round(ttft + (n - 1) * perToken);
          assertThat(chunks.get(0).fromToken()).isZero();
          assertThat(chunks.get(0).offsetNanos()).isEqualTo(Math.round(ttft));
          assertThat(chunks.get(chunks.size() - 1).toToken()).isEqualTo(n);
          for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertThat(c.tokenCount()).isPositive();
            // Every token is sent no earlier than it is ready.
            assertThat(Math.round(ttft + (c.toToken() - 1) * perToken))
                .isLessThanOrEqualTo(c.offsetNanos());
            if (i > 0) {
              Chunk prev = chunks.get(i - 1);
              assertThat(c.fromToken()).isEqualTo(prev.toToken());
              long gap = c.offsetNanos() - prev.offsetNanos();
              if (c.offsetNanos() != lastReady) {
                assertThat(gap).isGreaterThanOrEqualTo(CompletionPlan.CHUNK_INTERVAL_NANOS);
              }
            }
          }
          assertThat(plan.finishNanos())
              .isCloseTo(
                  Math.round((profile.ttftSeconds() + n / profile.tokensPerSecond()) * scale * 1e9),
                  within(1L))
              .isGreaterThanOrEqualTo(chunks.get(chunks.size() - 1).offsetNanos());
        }
      }
    }
  }

  @Test
  void rejectsEmptyCompletion() {
    assertThatThrownBy(() -> CompletionPlan.schedule(0, Profile.GPU, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenCount: 0 must be >= 1");
  }
}
