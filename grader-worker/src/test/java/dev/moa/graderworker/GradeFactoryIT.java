package dev.moa.graderworker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.graders.BwrapSandbox;
import dev.moa.graders.Graders;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.serde.AvroTrust;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Challenge grades from a real bubblewrap sandbox (GradeFactoryTest's fixtures). */
class GradeFactoryIT {

  static BwrapSandbox sandbox;

  @BeforeAll
  static void start() {
    assertThat(Files.isExecutable(Path.of("/usr/bin/bwrap")))
        .as("bubblewrap (/usr/bin/bwrap) is needed: apt-get install bubblewrap")
        .isTrue();
    AvroTrust.install();
    sandbox = new BwrapSandbox(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/python3"), 10_000, 2);
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  static Grade challengeGrade(String answer) {
    return new GradeFactory(new Graders(sandbox, null), GradeFactoryTest.CLOCK)
        .gradeFor(
            GradeFactoryTest.answer()
                .setAnswer(answer)
                .setGrading(GradeFactoryTest.CHALLENGE)
                .build());
  }

  @Test
  void challengeGradeCarriesEveryCheckTheReasonForEachLossAndTheLetter() throws Exception {
    Grade g =
        challengeGrade(
            "```python\n" + GradeFactoryTest.resource("/challenge/loses_sorting.py") + "```");

    assertThat(g.getStatus()).isEqualTo(GradeStatus.GRADED);
    assertThat(g.getScore()).isEqualTo(110);
    assertThat(g.getMaxScore()).isEqualTo(120);
    JsonNode d = GradeFactoryTest.JSON.readTree(g.getDetailsJson());
    assertThat(d.path("letter").asString()).isEqualTo("A");
    assertThat(d.path("total").asDouble()).isEqualTo(110);
    JsonNode checks = d.path("checks");
    assertThat(checks.propertyNames())
        .containsExactly(
            "division_by_zero",
            "empty_list",
            "missing_keys",
            "correct_average",
            "sorting",
            "no_active_users",
            "no_mutation",
            "fewer_than_five",
            "invalid_dates",
            "robustness",
            "top_five");
    int sum = 0;
    for (var e : checks.properties()) {
      JsonNode c = e.getValue();
      assertThat(c.has("points") && c.has("max")).as(e.getKey()).isTrue();
      sum += c.path("points").asInt();
      if (c.path("points").asInt() < c.path("max").asInt()) {
        assertThat(c.path("reason").asString()).as(e.getKey()).isNotBlank();
      } else {
        assertThat(c.has("reason")).as(e.getKey()).isFalse();
      }
    }
    assertThat(sum).isEqualTo(110);
    assertThat(checks.path("sorting").path("points").asInt()).isZero();
  }

  @Test
  void hostileChallengeAnswerScoresZeroWithAReason() throws Exception {
    Grade g =
        challengeGrade(
            "```python\nimport os\nos.system('id')\n"
                + "def calculate_user_metrics(u, s, e):\n    while True:\n        pass\n```");

    assertThat(g.getStatus()).isEqualTo(GradeStatus.GRADED);
    assertThat(g.getScore()).isZero();
    assertThat(g.getMaxScore()).isEqualTo(120);
    JsonNode d = GradeFactoryTest.JSON.readTree(g.getDetailsJson());
    assertThat(d.path("reason").asString()).contains("import of module 'os' is not allowed");
    assertThat(d.path("letter").asString()).isEqualTo("F");
  }
}
