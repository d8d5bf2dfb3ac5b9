package dev.moa.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.eval.sweep.Pareto.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParetoTest {

  @Test
  void keepsOnlyPointsNoOtherBeatsOnScoreTokensAndLatency() {
    List<Point> points =
        List.of(
            new Point("cheap", 0.5, 100, 1000L),
            new Point("best", 0.9, 800, 3000L),
            new Point("fast", 0.4, 300, 200L),
            new Point("worse", 0.5, 200, 1500L), // cheap beats it everywhere
            new Point("middle", 0.7, 400, 2000L));

    assertThat(Pareto.front(points)).containsExactly("cheap", "best", "fast", "middle");
  }

  @Test
  void aTieOnEveryObjectiveKeepsBothAndOneBetterObjectiveDominates() {
    assertThat(Pareto.front(List.of(new Point("a", 0.5, 100, 10L), new Point("b", 0.5, 100, 10L))))
        .containsExactly("a", "b");
    assertThat(Pareto.front(List.of(new Point("a", 0.5, 100, 10L), new Point("b", 0.5, 100, 9L))))
        .containsExactly("b");
  }

  @Test
  void aConfigurationWithoutScoreOrLatencyIsNeverOnTheFront() {
    assertThat(
            Pareto.front(
                List.of(
                    new Point("none", null, 0, 1L),
                    new Point("ok", 0.1, 900, 9000L),
                    new Point("nolatency", 1.0, 1, null))))
        .containsExactly("ok");
  }
}
