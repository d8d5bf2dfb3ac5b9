package dev.moa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HopBreakdownTest {

  /** Two layers of two calls and the aggregator, with every hand-over a different length. */
  private static HopBreakdown.Trace twoLayers() {
    HopBreakdown.Trace t = new HopBreakdown.Trace();
    t.task(1, 1_010); // 10 ms after submit
    t.task(1, 1_012);
    t.result(1, 1_300, 250); // the slow call of layer 1
    t.result(1, 1_200, 150);
    t.task(2, 1_307); // barrier: 7 ms
    t.task(2, 1_308);
    t.result(2, 1_520, 200);
    t.result(2, 1_510, 100);
    t.aggregateTask = 1_525; // 5 ms
    t.answer = 1_940;
    t.aggregatorCall = 400; // aggregator hand-over: 15 ms
    return t;
  }

  @Test
  void segmentsFollowTheCriticalPathAndAddUpToTheOverhead() {
    HopBreakdown.Sent sent = new HopBreakdown.Sent("r", 1_000, 1_960);
    Map<String, Double> seg = twoLayers().segments(sent);

    assertThat(seg)
        .containsExactly(
            Map.entry("intake", 10.0),
            Map.entry("layer1_calls", 40.0), // 1300 - 1010 - 250
            Map.entry("barrier1", 7.0),
            Map.entry("layer2_calls", 13.0), // 1520 - 1307 - 200
            Map.entry("aggregate", 5.0),
            Map.entry("aggregator", 15.0),
            Map.entry("answer", 20.0));
    double e2e = 1_960 - 1_000;
    double critical = 250 + 200 + 400;
    assertThat(seg.values().stream().mapToDouble(Double::doubleValue).sum())
        .isEqualTo(e2e - critical);
  }

  @Test
  void aRequestWithAMissingRecordHasNoSegments() {
    HopBreakdown.Trace t = twoLayers();
    t.answer = -1;
    assertThat(t.segments(new HopBreakdown.Sent("r", 1_000, 1_960))).isNull();

    HopBreakdown.Trace noResults = new HopBreakdown.Trace();
    noResults.task(1, 1_010);
    noResults.aggregateTask = 1_100;
    noResults.answer = 1_200;
    noResults.aggregatorCall = 50;
    assertThat(noResults.segments(new HopBreakdown.Sent("r", 1_000, 1_300))).isNull();
  }

  @Test
  void onlyThePathTopicsAreRead() {
    assertThat(HopBreakdown.onPath("moa.agent-tasks")).isTrue();
    assertThat(HopBreakdown.onPath("moa.answers")).isTrue();
    assertThat(HopBreakdown.onPath("moa.answer-chunks")).isFalse();
    assertThat(HopBreakdown.onPath("moa.agent-tasks-dlt")).isFalse();
  }
}
