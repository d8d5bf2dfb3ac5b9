package dev.moa.e2e.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PromqlNamesTest {

  @Test
  void aBareSelectorIsItsMetric() {
    assertThat(PromqlNames.of("up")).containsExactly("up");
  }

  @Test
  void functionsAndAggregationsAreNotMetrics() {
    assertThat(
            PromqlNames.of(
                "histogram_quantile(0.95, sum by (le, gen_ai_request_model)"
                    + " (rate(gen_ai_client_operation_duration_seconds_bucket[$__rate_interval])))"))
        .containsExactly("gen_ai_client_operation_duration_seconds_bucket");
  }

  @Test
  void labelNamesInMatchersAndGroupingClausesAreNotMetrics() {
    assertThat(
            PromqlNames.of(
                "sum without (instance) (rate(moa_grades_total{grader=~\"$grader\", outcome=\"graded\"}[5m]))"
                    + " / on (job) group_left (pod) sum by (job) (moa_requests_total)"))
        .containsExactly("moa_grades_total", "moa_requests_total");
  }

  @Test
  void postfixGroupingAndBinaryKeywordsAreSkipped() {
    assertThat(
            PromqlNames.of(
                "sum(a_total) by (topic) > bool 0 and ignoring (x) b unless c offset 5m or d @ start()"))
        .containsExactly("a_total", "b", "c", "d");
  }

  @Test
  void colonsBelongToTheName() {
    assertThat(PromqlNames.of("sum by (model_name) (rate(vllm:prompt_tokens_total[1m]))"))
        .containsExactly("vllm:prompt_tokens_total");
  }

  @Test
  void stringsNumbersAndDurationsAreSkipped() {
    assertThat(
            PromqlNames.of(
                "label_replace(x_seconds{a=\"by (y)\"}, \"dst\", \"$1\", \"src\", \"(.*)\") * 1e3"
                    + " + 0x1f - inf + count_over_time(z[1h30m:10s])"))
        .containsExactly("x_seconds", "z");
  }

  @Test
  void aNameMatcherNamesItsMetric() {
    assertThat(PromqlNames.of("{__name__=\"moa_dlt_records_total\", topic=\"t\"}"))
        .containsExactly("moa_dlt_records_total");
  }

  @Test
  void grafanaVariablesAreNotMetrics() {
    assertThat(PromqlNames.of("increase(m_total[$__range]) / ${factor} * $scale"))
        .containsExactly("m_total");
  }

  @Test
  void aMetricNamedLikeAKeywordPrefixStillCounts() {
    assertThat(PromqlNames.of("sum_total + by_x + topk(3, offsets)"))
        .containsExactly("sum_total", "by_x", "offsets");
  }

  @Test
  void unbalancedBracketsAreAnError() {
    assertThatThrownBy(() -> PromqlNames.of("rate(m{a=\"b\"[5m]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unbalanced");
  }
}
