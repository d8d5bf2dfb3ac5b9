package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChallengeGraderIT {
  private static final ChallengeGrader GRADER = new ChallengeGrader(new BwrapSandbox());

  @BeforeAll
  static void needsBubblewrap() {
    SandboxRequired.bwrap();
  }

  /** A candidate from test resources; {@code correct.py} is the shipped reference solution. */
  static String resource(String name) {
    if (name.equals("correct.py")) {
      return ChallengeGrader.referenceSolution();
    }
    try (InputStream in = ChallengeGraderIT.class.getResourceAsStream("/challenge/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GradeResult.Scored grade(String answer) {
    GradeResult r = GRADER.grade(answer, null, null);
    assertThat(r).isInstanceOf(GradeResult.Scored.class);
    return (GradeResult.Scored) r;
  }

  static String fenced(String file) {
    return "Here you go:\n\n```python\n" + resource(file) + "```\nHope it helps.";
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> check(GradeResult.Scored r, String name) {
    return (Map<String, Object>) ((Map<String, Object>) r.details().get("checks")).get(name);
  }

  @Test
  void fullyCorrectImplementationScores120WithLetterA() {
    GradeResult.Scored r = grade(fenced("correct.py"));
    assertThat(r.score()).as("%s", r.details()).isEqualTo(120);
    assertThat(r.maxScore()).isEqualTo(120);
    assertThat(r.details()).containsEntry("letter", "A").containsEntry("gate_passed", 4);
  }

  @Test
  void bareDefWithoutFenceIsGradedAndAConstantEmptyResultScores87() {
    GradeResult.Scored r =
        grade(
            "My answer:\ndef calculate_user_metrics(users, start_date, end_date):\n"
                + "    return {'average_engagement': 0, 'top_performers': [], 'active_count': 0}\n");
    // 20 + 15 + 15 + 5 (wrong average) + 0 (empty top list) + 10 + 8 + 0 (not 2 top) + 5 + 7 + 2
    assertThat(r.score()).as("%s", r.details()).isEqualTo(87);
    assertThat(r.details()).containsEntry("letter", "C");
  }

  @Test
  void buggyOriginalFailsTheGateAndScoresZero() {
    GradeResult.Scored r = grade(resource("buggy_original.md"));
    assertThat(r.score()).isZero();
    assertThat(r.details()).containsEntry("gate_passed", 1).containsEntry("letter", "F");
    assertThat((String) r.details().get("reason")).contains("gate failed");
  }

  @ParameterizedTest(name = "{0} loses {1}: {2} points left, total {3} ({4})")
  @CsvSource({
    "loses_division_by_zero.py, division_by_zero, 0, 100, B",
    "loses_empty_list.py, empty_list, 5, 110, A",
    "loses_missing_keys.py, missing_keys, 0, 105, B",
    "loses_correct_average.py, correct_average, 5, 110, A",
    "averages_raw_scores_over_all_users.py, correct_average, 0, 105, B",
    "loses_sorting.py, sorting, 0, 110, A",
    "loses_no_active_users.py, no_active_users, 5, 115, A",
    "loses_no_mutation.py, no_mutation, 0, 112, A",
    "loses_fewer_than_five.py, fewer_than_five, 0, 115, A",
    "loses_invalid_dates.py, invalid_dates, 2, 117, A",
    "loses_robustness.py, robustness, 2, 115, A",
    "loses_top_five.py, top_five, 0, 110, A"
  })
  void eachCandidateLosesExactlyOneCheck(
      String file, String lost, int points, int total, String letter) {
    GradeResult.Scored r = grade(fenced(file));
    assertThat(r.score()).as("%s", r.details()).isEqualTo(total);
    assertThat(r.details()).containsEntry("letter", letter);
    Map<String, Object> c = check(r, lost);
    assertThat(c).containsEntry("points", points);
    assertThat((String) c.get("reason")).isNotBlank();
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> checks =
        (Map<String, Map<String, Object>>) r.details().get("checks");
    checks.forEach(
        (name, d) -> {
          if (!name.equals(lost)) {
            assertThat(d.get("points")).as(name).isEqualTo(d.get("max"));
          }
        });
  }

  private static final String LIKES_TERM = " + num(user, \"likes\") * 0.1";

  /**
   * The executed seed grader expects 2.95 and zeroes only 14.75 (decision 009). The issue's 2.75
   * and 13.75 (the seed's comments, which drop the likes term) are just other wrong values: partial
   * 5 points, like any average that is not 2.95.
   */
  @ParameterizedTest(name = "{0} without the likes term: average {1}")
  @CsvSource({"correct.py, 2.75", "averages_raw_scores_over_all_users.py, 13.75"})
  void theIssuesValuesFromTheSeedsCommentsGetThePartialFive(String file, double average) {
    String code = resource(file);
    assertThat(code).contains(LIKES_TERM);
    GradeResult.Scored r = grade("```python\n" + code.replace(LIKES_TERM, "") + "```");
    assertThat(check(r, "correct_average")).containsEntry("points", 5);
    assertThat((String) check(r, "correct_average").get("reason"))
        .contains(String.valueOf(average))
        .contains("is not 2.95");
    assertThat(r.score()).as("%s", r.details()).isEqualTo(110);
  }

  @Test
  void expectedAndWrongAveragesAreTheExecutedSeedValues() {
    assertThat(ChallengeGrader.EXPECTED_AVERAGE).isCloseTo(2.95, within(1e-9));
    assertThat(ChallengeGrader.WRONG_AVERAGE).isCloseTo(14.75, within(1e-9));
  }

  @Test
  void answerWithoutCodeScoresZeroWithAReason() {
    GradeResult.Scored r = grade("I would use a loop.");
    assertThat(r.score()).isZero();
    assertThat((String) r.details().get("reason")).contains("no Python code");
  }

  @Test
  void forgedResultLinesFromCandidateCodeDoNotChangeTheScore() {
    String code =
        "import sys\n"
            + "print('{\"mode\": \"challenge\", \"load\": {\"ok\": true}, \"calls\": [], \"asserts\": []}')\n"
            + "sys.stdout.write('120 A\\n')\n"
            + resource("buggy_original.md").replaceAll("(?s).*```python\n(.*)```.*", "$1");
    GradeResult.Scored r = grade("```python\n" + code + "```");
    assertThat(r.score()).isZero();
  }

  @Test
  void letterBoundariesFollowTheSeed() {
    assertThat(ChallengeGrader.letter(120)).isEqualTo("A");
    assertThat(ChallengeGrader.letter(108)).isEqualTo("A");
    assertThat(ChallengeGrader.letter(107)).isEqualTo("B");
    assertThat(ChallengeGrader.letter(96)).isEqualTo("B");
    assertThat(ChallengeGrader.letter(84)).isEqualTo("C");
    assertThat(ChallengeGrader.letter(72)).isEqualTo("D");
    assertThat(ChallengeGrader.letter(71)).isEqualTo("F");
  }
}
