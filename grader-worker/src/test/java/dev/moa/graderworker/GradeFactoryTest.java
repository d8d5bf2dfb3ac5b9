package dev.moa.graderworker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.graders.BwrapSandbox;
import dev.moa.graders.Graders;
import dev.moa.graders.JudgeGrader;
import dev.moa.graders.JudgeModel;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.AvroTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class GradeFactoryTest {

  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(42_000L), ZoneOffset.UTC);
  static final JsonMapper JSON = JsonMapper.builder().build();
  static BwrapSandbox sandbox;

  @BeforeAll
  static void trustGeneratedRecords() {
    AvroTrust.install();
    sandbox = new BwrapSandbox(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/python3"), 10_000, 2);
  }

  @AfterAll
  static void closeSandbox() {
    sandbox.close();
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

  static GradeFactory factory(JudgeModel judge) {
    return new GradeFactory(new Graders(sandbox, judge), CLOCK);
  }

  static GradeFactory factory() {
    return factory(null);
  }

  static String resource(String path) {
    try (InputStream in = GradeFactoryTest.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final GradingSpec EXACT = new GradingSpec("exact", "{}", "\"42\"");
  static final GradingSpec CHALLENGE = new GradingSpec("challenge", "{}", null);

  @Test
  void answerWithoutGradingSpecIsNotGradedByNone() {
    Grade g = factory().gradeFor(answer().build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
    assertThat(g.getGrader()).isEqualTo("none");
    assertThat(g.getReason()).isEqualTo("request carries no grading spec");
  }

  @Test
  void gradeCopiesIdsAndTakesItsTimeFromTheClock() {
    Grade g = factory().gradeFor(answer().setGrading(EXACT).build());

    assertThat(g.getRequestId()).isEqualTo("req-1");
    assertThat(g.getRunId()).isEqualTo("run-1");
    assertThat(g.getSampleId()).isEqualTo("s-1");
    assertThat(g.getGradedAtMs()).isEqualTo(42_000L);
  }

  @Test
  void exactGraderScoresTheAnswerWithItsDetails() throws Exception {
    GradeFactory factory = factory();

    Grade right = factory.gradeFor(answer().setAnswer(" 42 ").setGrading(EXACT).build());
    Grade wrong = factory.gradeFor(answer().setAnswer("41").setGrading(EXACT).build());

    assertThat(right.getStatus()).isEqualTo(GradeStatus.GRADED);
    assertThat(right.getGrader()).isEqualTo("exact");
    assertThat(right.getScore()).isEqualTo(1);
    assertThat(right.getMaxScore()).isEqualTo(1);
    assertThat(right.getReason()).isNull();
    JsonNode details = JSON.readTree(right.getDetailsJson());
    assertThat(details.path("match").asBoolean()).isTrue();
    assertThat(details.path("normalized_answer").asString()).isEqualTo("42");
    assertThat(wrong.getStatus()).isEqualTo(GradeStatus.GRADED);
    assertThat(wrong.getScore()).isZero();
    assertThat(wrong.getMaxScore()).isEqualTo(1);
  }

  @Test
  void unknownTypeIsAnErrorNamingTheTypeAndTheKnownTypes() {
    Grade g =
        factory()
            .gradeFor(answer().setGrading(new GradingSpec("exact_match", "{}", "\"42\"")).build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.ERROR);
    assertThat(g.getGrader()).isEqualTo("exact_match");
    assertThat(g.getReason())
        .contains("'exact_match'")
        .contains("exact")
        .contains("numeric")
        .contains("challenge")
        .contains("judge");
  }

  @Test
  void badOptionsAreAnErrorNamingTheOptionAndValue() {
    Grade g =
        factory()
            .gradeFor(
                answer()
                    .setGrading(new GradingSpec("exact", "{\"case_sensitive\": \"yes\"}", "\"42\""))
                    .build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.ERROR);
    assertThat(g.getReason())
        .startsWith("bad grader options: ")
        .contains("case_sensitive")
        .contains("yes");
    assertThat(g.getDetailsJson()).isEqualTo("{}");
  }

  @Test
  void aGradingErrorIsAnErrorGradeWithItsReason() {
    Grade g = factory().gradeFor(answer().setGrading(new GradingSpec("judge", "{}", null)).build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.ERROR);
    assertThat(g.getGrader()).isEqualTo("judge");
    assertThat(g.getReason()).isEqualTo(JudgeGrader.NOT_CONFIGURED);
    assertThat(g.getScore()).isZero();
  }

  @Test
  void judgeVerdictIsGradedOutOfTenAndAnUnparseableOneIsAnError() throws Exception {
    GradingSpec judge = new GradingSpec("judge", "{\"rubric\": \"Right?\"}", "\"42\"");
    Grade g =
        factory((messages, model, maxTokens) -> "Correct.\nScore: 9")
            .gradeFor(answer().setGrading(judge).build());
    assertThat(g.getStatus()).isEqualTo(GradeStatus.GRADED);
    assertThat(g.getScore()).isEqualTo(9);
    assertThat(g.getMaxScore()).isEqualTo(10);
    assertThat(JSON.readTree(g.getDetailsJson()).path("rubric").asString()).isEqualTo("Right?");

    Grade bad =
        factory((messages, model, maxTokens) -> "I cannot decide.")
            .gradeFor(answer().setGrading(judge).build());
    assertThat(bad.getStatus()).isEqualTo(GradeStatus.ERROR);
    assertThat(bad.getReason()).isEqualTo("judge verdict unparseable: I cannot decide.");
  }

  @Test
  void aGraderThatBreaksBecomesAnErrorGrade() {
    Grade g =
        factory(
                (messages, model, maxTokens) -> {
                  throw new IllegalStateException("connection reset");
                })
            .gradeFor(answer().setGrading(new GradingSpec("judge", "{}", null)).build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.ERROR);
    assertThat(g.getReason()).isEqualTo("judge call failed: connection reset");
  }

  @Test
  void failedAnswerIsNotGradedWithItsError() {
    Grade g =
        factory()
            .gradeFor(
                answer()
                    .setStatus(AnswerStatus.FAILED)
                    .setAnswer("")
                    .setError("aggregator m: timeout: slow")
                    .setGrading(EXACT)
                    .build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
    assertThat(g.getGrader()).isEqualTo("exact");
    assertThat(g.getReason()).contains("FAILED").contains("timeout: slow");
  }

  @Test
  void cancelledAnswerIsNotGraded() {
    Grade g =
        factory()
            .gradeFor(
                answer()
                    .setStatus(AnswerStatus.CANCELLED)
                    .setAnswer("")
                    .setError("run cancelled")
                    .setGrading(CHALLENGE)
                    .build());

    assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
    assertThat(g.getReason()).contains("CANCELLED").contains("run cancelled");
  }
}
