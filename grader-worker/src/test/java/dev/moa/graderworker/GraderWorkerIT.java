package dev.moa.graderworker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.topic.Topics;
import dev.moa.simulator.Simulator;
import dev.moa.testing.PipelineKit;
import dev.moa.testing.TopicTail;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

class GraderWorkerIT {

  @RegisterExtension static final PipelineKit kit = new PipelineKit();

  static ConfigurableApplicationContext app;
  static KafkaProducer<String, FinalAnswer> producer;
  static Simulator simulator;

  @BeforeAll
  static void start() {
    simulator = kit.instantSimulator();
    app =
        kit.service(
            GraderWorkerApplication.class,
            "--moa.grader-worker.judge.base-url=" + simulator.baseUrl(),
            "--moa.grader-worker.judge.model=llama3.1-8b");
    producer = kit.producer(Topics.ANSWERS, "grader-it");
  }

  static FinalAnswer answer(String requestId, GradingSpec grading) {
    return answer(requestId, grading, "42");
  }

  static FinalAnswer answer(String requestId, GradingSpec grading, String text) {
    return FinalAnswer.newBuilder()
        .setRequestId(requestId)
        .setRunId("run-it")
        .setSampleId("sample-" + requestId)
        .setConfigName("it")
        .setStatus(AnswerStatus.SUCCEEDED)
        .setAnswer(text)
        .setUsage(new Usage(10, 2))
        .setGrading(grading)
        .setCompletedAtMs(System.currentTimeMillis())
        .build();
  }

  static void send(List<FinalAnswer> answers) {
    for (FinalAnswer a : answers) {
      producer.send(new ProducerRecord<>(Topics.ANSWERS.name(), a.getRequestId(), a));
    }
    producer.flush();
  }

  static TopicTail<Grade> grades() {
    return kit.tail(Topics.GRADES, false);
  }

  static Map<String, List<Grade>> byRequest(
      List<ConsumerRecord<String, Grade>> records, Set<String> ids) {
    return records.stream()
        .map(ConsumerRecord::value)
        .filter(g -> ids.contains(g.getRequestId()))
        .collect(Collectors.groupingBy(Grade::getRequestId));
  }

  static Map<String, Grade> awaitOneGradeEach(TopicTail<Grade> tail, Set<String> ids) {
    tail.awaitRecords(Duration.ofSeconds(90), rs -> byRequest(rs, ids).size() == ids.size());
    List<ConsumerRecord<String, Grade>> records =
        tail.assertHoldsFor(
            Duration.ofSeconds(2),
            rs -> byRequest(rs, ids).values().stream().allMatch(l -> l.size() == 1));
    for (ConsumerRecord<String, Grade> r : records) {
      if (ids.contains(r.value().getRequestId())) {
        assertThat(r.key()).isEqualTo(r.value().getRequestId());
      }
    }
    return byRequest(records, ids).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get(0)));
  }

  @Test
  void everyAnswerGetsExactlyOneGradeKeyedByRequestId() {
    GradingSpec exact = new GradingSpec("exact", "{}", "\"42\"");
    List<FinalAnswer> answers =
        IntStream.range(0, 12)
            .mapToObj(
                i ->
                    answer(
                        "grade-" + UUID.randomUUID(),
                        i % 3 == 2 ? null : exact,
                        i % 3 == 1 ? "41" : "42"))
            .toList();
    Set<String> ids = answers.stream().map(FinalAnswer::getRequestId).collect(Collectors.toSet());

    try (TopicTail<Grade> tail = grades()) {
      send(answers);
      Map<String, Grade> grades = awaitOneGradeEach(tail, ids);

      for (FinalAnswer a : answers) {
        Grade g = grades.get(a.getRequestId());
        assertThat(g.getRunId()).isEqualTo("run-it");
        assertThat(g.getSampleId()).isEqualTo(a.getSampleId());
        assertThat(g.getGradedAtMs()).isPositive();
        if (a.getGrading() == null) {
          assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
          assertThat(g.getGrader()).isEqualTo("none");
          assertThat(g.getReason()).isEqualTo("request carries no grading spec");
        } else {
          assertThat(g.getStatus()).isEqualTo(GradeStatus.GRADED);
          assertThat(g.getGrader()).isEqualTo("exact");
          assertThat(g.getMaxScore()).isEqualTo(1);
          assertThat(g.getScore()).isEqualTo(a.getAnswer().equals("42") ? 1 : 0);
          assertThat(g.getDetailsJson()).contains("\"match\":" + a.getAnswer().equals("42"));
        }
      }
    }
  }

  @Test
  void aHostileChallengeAnswerScoresZeroAndHoldsBackNoOtherAnswer() {
    GradingSpec challenge = new GradingSpec("challenge", "{}", null);
    // Past the code policy: os.system through a built-up __import__, then a busy loop that only
    // the sandbox's CPU limit ends.
    String hostile =
        "```python\nimport sys\n"
            + "_os = getattr(sys.modules['builtins'], '__imp' + 'ort__')('o' + 's')\n"
            + "getattr(_os, 'sys' + 'tem')('touch /tmp/moa-it-hostile')\n"
            + "while True:\n    pass\n"
            + "def calculate_user_metrics(users, start_date, end_date):\n    return {}\n```";
    String correct = "```python\n" + dev.moa.graders.ChallengeGrader.referenceSolution() + "```";
    FinalAnswer bad = answer("grade-hostile-" + UUID.randomUUID(), challenge, hostile);
    FinalAnswer good = answer("grade-correct-" + UUID.randomUUID(), challenge, correct);
    int partition = 3;

    try (TopicTail<Grade> tail = grades()) {
      // Same partition, hostile first: the correct answer must not wait for it.
      producer.send(
          new ProducerRecord<>(Topics.ANSWERS.name(), partition, bad.getRequestId(), bad));
      producer.send(
          new ProducerRecord<>(Topics.ANSWERS.name(), partition, good.getRequestId(), good));
      producer.flush();
      Map<String, Grade> grades =
          awaitOneGradeEach(tail, Set.of(bad.getRequestId(), good.getRequestId()));

      Grade h = grades.get(bad.getRequestId());
      assertThat(h.getStatus()).isEqualTo(GradeStatus.GRADED);
      assertThat(h.getScore()).isZero();
      assertThat(h.getMaxScore()).isEqualTo(120);
      assertThat(h.getDetailsJson()).contains("\"reason\":\"sandbox run failed");

      Grade c = grades.get(good.getRequestId());
      assertThat(c.getStatus()).isEqualTo(GradeStatus.GRADED);
      assertThat(c.getScore()).isEqualTo(120);
      assertThat(c.getDetailsJson()).contains("\"letter\":\"A\"");
      assertThat(c.getGradedAtMs()).isLessThan(h.getGradedAtMs());
      assertThat(java.nio.file.Path.of("/tmp/moa-it-hostile")).doesNotExist();
    }
  }

  @Test
  void theJudgeGradesThroughTheConfiguredModelAndBadOptionsAreErrors() {
    FinalAnswer judged =
        answer(
            "grade-judge-" + UUID.randomUUID(),
            new GradingSpec("judge", "{\"rubric\": \"Is 42 right?\"}", "\"42\""));
    FinalAnswer badOptions =
        answer("grade-bad-" + UUID.randomUUID(), new GradingSpec("exact", "{\"x\": 1}", "\"42\""));
    FinalAnswer unknown =
        answer("grade-unknown-" + UUID.randomUUID(), new GradingSpec("fuzzy", "{}", "\"42\""));
    Set<String> ids =
        Set.of(judged.getRequestId(), badOptions.getRequestId(), unknown.getRequestId());

    try (TopicTail<Grade> tail = grades()) {
      send(List.of(judged, badOptions, unknown));
      Map<String, Grade> grades = awaitOneGradeEach(tail, ids);

      Grade j = grades.get(judged.getRequestId());
      assertThat(j.getStatus()).as("%s", j).isEqualTo(GradeStatus.GRADED);
      assertThat(j.getGrader()).isEqualTo("judge");
      assertThat(j.getScore()).isBetween(1.0, 10.0);
      assertThat(j.getMaxScore()).isEqualTo(10);
      assertThat(j.getDetailsJson())
          .contains("\"model\":\"llama3.1-8b\"")
          .contains("Score: " + (int) j.getScore());

      Grade b = grades.get(badOptions.getRequestId());
      assertThat(b.getStatus()).isEqualTo(GradeStatus.ERROR);
      assertThat(b.getReason()).startsWith("bad grader options: ").contains("'x'");

      Grade u = grades.get(unknown.getRequestId());
      assertThat(u.getStatus()).isEqualTo(GradeStatus.ERROR);
      assertThat(u.getReason()).contains("fuzzy").contains("known types");
    }
  }

  @Test
  void undecodableAnswerIsDeadLetteredAndTheAnswerBehindItIsStillGraded() {
    byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    FinalAnswer answer = answer("grade-dlt-" + UUID.randomUUID(), null);
    int partition = 7;

    try (TopicTail<Grade> tail = grades();
        TopicTail<byte[]> dlt =
            kit.tail(Topics.ANSWERS.dltName(), new ByteArrayDeserializer(), false);
        KafkaProducer<String, byte[]> raw = kit.rawProducer("grader-it-raw")) {
      raw.send(new ProducerRecord<>(Topics.ANSWERS.name(), partition, "garbage", garbage));
      raw.flush();
      producer.send(
          new ProducerRecord<>(Topics.ANSWERS.name(), partition, answer.getRequestId(), answer));
      producer.flush();

      dlt.awaitRecords(
          Duration.ofSeconds(60),
          rs -> rs.stream().anyMatch(r -> Arrays.equals(r.value(), garbage)));
      List<ConsumerRecord<String, Grade>> records =
          tail.awaitRecords(
              Duration.ofSeconds(60),
              rs -> !byRequest(rs, Set.of(answer.getRequestId())).isEmpty());
      assertThat(byRequest(records, Set.of(answer.getRequestId())).get(answer.getRequestId()))
          .singleElement()
          .satisfies(g -> assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED));
    }
  }
}
