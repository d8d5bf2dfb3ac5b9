package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checks follow the executed seed grader's Python semantics ({@code result.get(...)} on a
 * non-dict raises, {@code False == 0}, {@code 10.0 == 10}, {@code len("ab") == 2}, only the first
 * input user is compared for mutation). The observations of the correct candidate are recorded once
 * in the sandbox, then one call's observation is replaced and scored in Java.
 */
class ChallengeScoringIT {
  private static ObjectNode correct;

  @BeforeAll
  static void observeTheCorrectCandidate() {
    SandboxRequired.bwrap();
    try (BwrapSandbox sandbox = new BwrapSandbox()) {
      BwrapSandbox.Outcome o =
          sandbox.run(
              "challenge", ChallengeGraderIT.resource("correct.py"), ChallengeGrader.plan());
      assertThat(o).isInstanceOf(BwrapSandbox.Completed.class);
      correct = (ObjectNode) ((BwrapSandbox.Completed) o).observations();
    }
    assertThat(((GradeResult.Scored) ChallengeGrader.score(correct)).score()).isEqualTo(120);
  }

  private static ObjectNode call(ObjectNode obs, String id) {
    for (JsonNode c : obs.path("calls")) {
      if (c.path("id").asString("").equals(id)) {
        return (ObjectNode) c;
      }
    }
    throw new AssertionError("no call " + id);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> check(GradeResult r, String name) {
    Map<String, Object> checks =
        (Map<String, Object>) ((GradeResult.Scored) r).details().get("checks");
    return (Map<String, Object>) checks.get(name);
  }

  @ParameterizedTest(name = "[{index}] {0}.{1} = {2} -> {3} {4}")
  @CsvSource(
      delimiter = '|',
      value = {
        // call | observation field | JSON value | check | points
        "correct_average|result|[]|correct_average|0",
        "correct_average|result|{\"average_engagement\": \"2.95\"}|correct_average|0",
        "correct_average|result|{\"average_engagement\": 2.955}|correct_average|15",
        "correct_average|result|{\"average_engagement\": 14.75}|correct_average|0",
        "correct_average|result|{\"top_performers\": []}|correct_average|5",
        "no_active_users|result|{\"active_count\": false, \"average_engagement\": 0.0}|no_active_users|10",
        "no_active_users|result|{\"active_count\": 0}|no_active_users|5",
        "no_active_users|result|null|no_active_users|0",
        "empty_list|result|{\"active_count\": 0.0}|empty_list|15",
        "empty_list|result|[]|empty_list|5",
        "invalid_dates|result|\"oops\"|invalid_dates|2",
        "invalid_dates|result|{\"active_count\": 1}|invalid_dates|3",
        "sorting|result|{\"top_performers\": [\"x\"]}|sorting|0",
        "sorting|result|{\"top_performers\": [{\"posts\": 10.0}]}|sorting|10",
        "sorting|result|{\"top_performers\": [{\"posts\": 1}, {\"posts\": 10}]}|sorting|0",
        "sorting|result|{\"top_performers\": [{\"posts\": 5}, {\"posts\": 1}]}|sorting|5",
        "fewer_than_five|result|{\"top_performers\": \"ab\"}|fewer_than_five|5",
        "fewer_than_five|result|{\"top_performers\": 2}|fewer_than_five|0",
        "no_mutation|args_after|[[{\"last_login\": \"2024-01-15\", \"posts\": 10.0, \"comments\": 5,"
            + " \"likes\": 20, \"days_active\": 10}], \"2024-01-01\", \"2024-01-31\"]|no_mutation|8",
        "no_mutation|args_after|[[{\"last_login\": \"2024-01-15\", \"posts\": 10, \"comments\": 5,"
            + " \"likes\": 20, \"days_active\": 10, \"engagement_score\": 2.95}], \"2024-01-01\","
            + " \"2024-01-31\"]|no_mutation|0",
        "no_mutation|args_after|[[{\"last_login\": \"2024-01-15\", \"posts\": 10, \"comments\": 5,"
            + " \"likes\": 20, \"days_active\": 10}, {}], \"2024-01-01\", \"2024-01-31\"]|no_mutation|8",
        "top_five|result|{\"top_performers\": [{\"posts\": 99.0}, {\"posts\": 98}, {\"posts\": 97},"
            + " {\"posts\": 96}, {\"posts\": 95}]}|top_five|10",
        "top_five|result|{\"top_performers\": [{\"posts\": 95}, {\"posts\": 96}, {\"posts\": 97},"
            + " {\"posts\": 98}, {\"posts\": 99}]}|top_five|8",
        "top_five|result|{\"top_performers\": [{\"posts\": 99}, {\"posts\": 1}, {\"posts\": true},"
            + " {\"posts\": 3}, {\"posts\": 4}]}|top_five|3",
        "top_five|result|{\"top_performers\": [{\"posts\": 99}, {\"posts\": [1]}, {\"posts\": 2},"
            + " {\"posts\": 3}, {\"posts\": 4}]}|top_five|0",
        "top_five|result|{\"top_performers\": \"abcde\"}|top_five|0",
        "top_five|result|{\"top_performers\": \"abc\"}|top_five|2",
        "top_five|result|{}|top_five|2"
      })
  void scoresLikeTheExecutedSeedGrader(
      String id, String field, String json, String check, int points) {
    ObjectNode obs = correct.deepCopy();
    call(obs, id).set(field, Json.MAPPER.readTree(json));
    GradeResult r = ChallengeGrader.score(obs);
    Map<String, Object> c = check(r, check);
    assertThat(c).as("%s", c).containsEntry("points", points);
    if (points < (int) c.get("max")) {
      assertThat((String) c.get("reason")).isNotBlank();
    }
  }
}
