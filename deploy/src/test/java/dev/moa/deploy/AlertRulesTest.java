package dev.moa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** deploy/prometheus/alerts.yml against the metrics contract and docs/operations.md. */
class AlertRulesTest {

  static final List<String> ALERTS =
      List.of(
          "MoaBarrierStalled",
          "MoaDltGrowing",
          "MoaConsumerLagGrowing",
          "MoaErrorRatioHigh",
          "MoaRateLimitRatioHigh",
          "MoaNoGradesWhilePending");

  /** Series and label names of the metrics contract (Prometheus spelling). */
  static final Set<String> CONTRACT_NAMES =
      Set.of(
          // series
          "gen_ai_client_token_usage_bucket",
          "gen_ai_client_token_usage_count",
          "gen_ai_client_token_usage_sum",
          "gen_ai_client_operation_duration_seconds_bucket",
          "gen_ai_client_operation_duration_seconds_count",
          "gen_ai_client_operation_duration_seconds_sum",
          "gen_ai_server_time_to_first_token_seconds_bucket",
          "gen_ai_server_time_to_first_token_seconds_count",
          "gen_ai_server_time_to_first_token_seconds_sum",
          "gen_ai_server_time_per_output_token_seconds_bucket",
          "gen_ai_server_time_per_output_token_seconds_count",
          "gen_ai_server_time_per_output_token_seconds_sum",
          "moa_inflight_calls",
          "moa_ratelimit_wait_seconds_bucket",
          "moa_ratelimit_wait_seconds_count",
          "moa_ratelimit_wait_seconds_sum",
          "moa_retries_total",
          "moa_cost_usd_total",
          "moa_request_duration_seconds_bucket",
          "moa_request_duration_seconds_count",
          "moa_request_duration_seconds_sum",
          "moa_layer_duration_seconds_bucket",
          "moa_layer_duration_seconds_count",
          "moa_layer_duration_seconds_sum",
          "moa_barrier_wait_seconds_bucket",
          "moa_barrier_wait_seconds_count",
          "moa_barrier_wait_seconds_sum",
          "moa_dlt_records_total",
          "moa_run_samples",
          "moa_requests_total",
          "moa_grades_total",
          "moa_grade_score_bucket",
          "moa_grade_score_count",
          "moa_grade_score_sum",
          "kafka_consumer_fetch_manager_records_lag_max",
          "kafka_consumer_fetch_manager_records_lag",
          // labels
          "gen_ai_request_model",
          "gen_ai_provider_name",
          "gen_ai_operation_name",
          "gen_ai_token_type",
          "moa_agent",
          "moa_layer");

  private static final Pattern NAME = Pattern.compile("\\b((?:moa|gen_ai|kafka)_[a-z_]+)\\b");

  private static List<JsonNode> rules() {
    JsonNode groups = Repo.yaml(Repo.ALERTS).path("groups");
    assertThat(groups.size()).isEqualTo(1);
    assertThat(groups.get(0).path("name").asString()).isEqualTo("moa");
    List<JsonNode> rules = new ArrayList<>();
    groups.get(0).path("rules").forEach(rules::add);
    return rules;
  }

  @Test
  void groupMoaHasExactlyTheSixAlertsOfTheContract() {
    assertThat(rules().stream().map(r -> r.path("alert").asString()).toList())
        .containsExactlyInAnyOrderElementsOf(ALERTS);
  }

  @Test
  void everyAlertHasForSeveritySummaryDescriptionAndARunbookAnchorThatExists() {
    Set<String> anchors = headingAnchors(Repo.read(Repo.ROOT.resolve("docs/operations.md")));
    for (JsonNode rule : rules()) {
      String alert = rule.path("alert").asString();
      assertThat(rule.path("for").asString()).as(alert + " for").matches("\\d+[smh]");
      assertThat(rule.path("labels").path("severity").asString())
          .as(alert + " severity")
          .isIn("warning", "critical");
      assertThat(rule.path("annotations").path("summary").asString()).as(alert).isNotBlank();
      assertThat(rule.path("annotations").path("description").asString()).as(alert).isNotBlank();
      String runbook = rule.path("annotations").path("runbook_url").asString();
      assertThat(runbook)
          .as(alert)
          .isEqualTo("docs/operations.md#" + alert.toLowerCase(Locale.ROOT));
      assertThat(anchors)
          .as("docs/operations.md headings")
          .contains(runbook.substring(runbook.indexOf('#') + 1));
    }
  }

  @Test
  void expressionsNameOnlyMetricsAndLabelsOfTheContract() {
    for (JsonNode rule : rules()) {
      String expr = rule.path("expr").asString();
      Set<String> names = new HashSet<>();
      Matcher m = NAME.matcher(expr);
      while (m.find()) {
        names.add(m.group(1));
      }
      assertThat(names)
          .as(rule.path("alert").asString() + ": " + expr)
          .isNotEmpty()
          .isSubsetOf(CONTRACT_NAMES);
    }
  }

  @Test
  void prometheusRuleCarriesExactlyTheGroupsOfAlertsYml() {
    JsonNode rule = Repo.yaml(Repo.K8S.resolve("base/prometheus-rule.yaml"));
    assertThat(rule.path("kind").asString()).isEqualTo("PrometheusRule");
    assertThat(rule.path("spec").path("groups"))
        .as(
            "deploy/k8s/base/prometheus-rule.yaml spec.groups must equal deploy/prometheus/alerts.yml groups")
        .isEqualTo(Repo.yaml(Repo.ALERTS).path("groups"));
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
  static Set<String> headingAnchors(String markdown) {
    Set<String> out = new HashSet<>();
    for (String line : markdown.split("\n")) {
      if (line.startsWith("#")) {
        String text = line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT);
        out.add(text.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
      }
    }
    return out;
  }
}
