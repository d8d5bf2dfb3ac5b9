package dev.moa.grader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.AvroTrust;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GradeFactoryTest {

  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(42_000L), ZoneOffset.UTC);

  @BeforeAll
  static void trustGeneratedRecords() {
    AvroTrust.install();
  }

  static FinalAnswer.Builder answer() {
    return FinalAnswer.newBuilder()
        .setRequestId("req-1")
        .setRunId("run-1")
        .setSampleId("s-1")
        .setStatus(AnswerStatus.SUCCEEDED)
        .setAnswer("42")
        .setUsage(new Usage(1, 1))
        .setCompletedAtMs(1L);
  }

  static final GradingSpec EXACT = new GradingSpec("exact_match", "{}", "\"42\"");

  static Grader exactMatch() {
    return new Grader() {
      @Override
      public String type() {
        return "exact_match";
      }

      @Override
      public GradeOutcome grade(FinalAnswer answer, GradingSpec spec) {
        boolean ok = ("\"" + answer.getAnswer() + "\"").equals(spec.getTargetJson());
        return new GradeOutcome(GradeStatus.GRADED, ok ? 1 : 0, 1, "{\"match\":" + ok + "}", null);
      }
    };
  }

  @Test
  void answerWithoutGradingSpecIsNotGradedByNone() {
    Grade g = new GradeFactory(List.of(), CLOCK).gradeFor(answer().build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
    assertThat(g.getGrader()).isEqualTo("none");
    assertThat(g.getReason()).isEqualTo("request carries no grading spec");
  }

  @Test
  void answerWithSpecIsNotGradedWhileNoGraderExists() {
    Grade g = new GradeFactory(List.of(), CLOCK).gradeFor(answer().setGrading(EXACT).build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
    assertThat(g.getGrader()).isEqualTo("exact_match");
    assertThat(g.getReason()).isEqualTo("graders are not implemented yet");
  }

  @Test
  void gradeCopiesIdsAndTakesItsTimeFromTheClock() {
    Grade g = new GradeFactory(List.of(), CLOCK).gradeFor(answer().build());

    assertThat(g.getRequestId()).isEqualTo("req-1");
    assertThat(g.getRunId()).isEqualTo("run-1");
    assertThat(g.getSampleId()).isEqualTo("s-1");
    assertThat(g.getGradedAtMs()).isEqualTo(42_000L);
    assertThat(g.getScore()).isZero();
    assertThat(g.getDetailsJson()).isEqualTo("{}");
  }

  @Test
  void registeredGraderGradesAnswersOfItsType() {
    GradeFactory factory = new GradeFactory(List.of(exactMatch()), CLOCK);

    Grade right = factory.gradeFor(answer().setGrading(EXACT).build());
    Grade wrong = factory.gradeFor(answer().setAnswer("41").setGrading(EXACT).build());

    assertThat(right.getStatus()).isEqualTo(GradeStatus.GRADED);
    assertThat(right.getScore()).isEqualTo(1);
    assertThat(right.getMaxScore()).isEqualTo(1);
    assertThat(right.getDetailsJson()).isEqualTo("{\"match\":true}");
    assertThat(wrong.getScore()).isZero();
  }

  @Test
  void typeWithoutGraderIsNotGradedNamingTheType() {
    Grade g =
        new GradeFactory(List.of(exactMatch()), CLOCK)
            .gradeFor(answer().setGrading(new GradingSpec("llm_judge", "{}", null)).build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
    assertThat(g.getGrader()).isEqualTo("llm_judge");
    assertThat(g.getReason()).contains("llm_judge");
  }

  @Test
  void failedAnswerIsNotGradedWithItsError() {
    Grade g =
        new GradeFactory(List.of(exactMatch()), CLOCK)
            .gradeFor(
                answer()
                    .setStatus(AnswerStatus.FAILED)
                    .setAnswer("")
                    .setError("aggregator m: timeout: slow")
                    .setGrading(EXACT)
                    .build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
    assertThat(g.getReason()).contains("FAILED").contains("timeout: slow");
  }

  @Test
  void graderThatThrowsGivesAnErrorGrade() {
    Grader broken =
        new Grader() {
          @Override
          public String type() {
            return "exact_match";
          }

          @Override
          public GradeOutcome grade(FinalAnswer answer, GradingSpec spec) {
            throw new IllegalArgumentException("bad target");
          }
        };

    Grade g = new GradeFactory(List.of(broken), CLOCK).gradeFor(answer().setGrading(EXACT).build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.ERROR);
    assertThat(g.getReason()).contains("bad target");
  }

  @Test
  void twoGradersForOneTypeAreRejected() {
    assertThatThrownBy(() -> new GradeFactory(List.of(exactMatch(), exactMatch()), CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exact_match");
  }
}
