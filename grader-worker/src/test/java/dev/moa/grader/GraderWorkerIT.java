package dev.moa.grader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.testing.SharedBroker;
import dev.moa.runtime.testing.TestServices;
import dev.moa.runtime.testing.TopicTail;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

class GraderWorkerIT {

  static KafkaSettings settings;
  static ConfigurableApplicationContext app;
  static KafkaProducer<String, FinalAnswer> producer;

  @BeforeAll
  static void start() {
    settings = SharedBroker.settingsWithTopics();
    app = TestServices.start(GraderWorkerApplication.class, settings);
    producer = TestServices.producer(settings, Topics.ANSWERS, "grader-it");
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (app != null) {
      app.close();
    }
  }

  static FinalAnswer answer(String requestId, GradingSpec grading) {
    return FinalAnswer.newBuilder()
        .setRequestId(requestId)
        .setRunId("run-it")
        .setSampleId("sample-" + requestId)
        .setConfigName("it")
        .setStatus(AnswerStatus.SUCCEEDED)
        .setAnswer("42")
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
    return new TopicTail<>(settings, Topics.GRADES.name(), Serdes.GRADE.deserializer(), false);
  }

  static Map<String, List<Grade>> byRequest(
      List<ConsumerRecord<String, Grade>> records, Set<String> ids) {
    return records.stream()
        .map(ConsumerRecord::value)
        .filter(g -> ids.contains(g.getRequestId()))
        .collect(Collectors.groupingBy(Grade::getRequestId));
  }

  @Test
  void everyAnswerGetsExactlyOneNotGradedGradeKeyedByRequestId() {
    GradingSpec exact = new GradingSpec("exact_match", "{}", "\"42\"");
    List<FinalAnswer> answers =
        IntStream.range(0, 10)
            .mapToObj(i -> answer("grade-" + UUID.randomUUID(), i % 2 == 0 ? exact : null))
            .toList();
    Set<String> ids = answers.stream().map(FinalAnswer::getRequestId).collect(Collectors.toSet());

    try (TopicTail<Grade> tail = grades()) {
      send(answers);
      tail.awaitRecords(Duration.ofSeconds(60), rs -> byRequest(rs, ids).size() == ids.size());
      List<ConsumerRecord<String, Grade>> records =
          tail.assertHoldsFor(
              Duration.ofSeconds(2),
              rs -> byRequest(rs, ids).values().stream().allMatch(l -> l.size() == 1));

      for (FinalAnswer a : answers) {
        ConsumerRecord<String, Grade> record =
            records.stream()
                .filter(r -> r.value().getRequestId().equals(a.getRequestId()))
                .findFirst()
                .orElseThrow();
        Grade g = record.value();
        assertThat(record.key()).isEqualTo(a.getRequestId());
        assertThat(g.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
        assertThat(g.getRunId()).isEqualTo("run-it");
        assertThat(g.getSampleId()).isEqualTo(a.getSampleId());
        assertThat(g.getGradedAtMs()).isPositive();
        if (a.getGrading() != null) {
          assertThat(g.getGrader()).isEqualTo("exact_match");
          assertThat(g.getReason()).isEqualTo("graders are not implemented yet");
        } else {
          assertThat(g.getGrader()).isEqualTo("none");
          assertThat(g.getReason()).isEqualTo("request carries no grading spec");
        }
      }
    }
  }

  @Test
  void undecodableAnswerIsDeadLetteredAndTheAnswerBehindItIsStillGraded() {
    byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    FinalAnswer answer = answer("grade-dlt-" + UUID.randomUUID(), null);
    int partition = 7;

    try (TopicTail<Grade> tail = grades();
        TopicTail<byte[]> dlt =
            new TopicTail<>(
                settings, Topics.ANSWERS.dltName(), new ByteArrayDeserializer(), false);
        KafkaProducer<String, byte[]> raw = TestServices.rawProducer(settings, "grader-it-raw")) {
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
