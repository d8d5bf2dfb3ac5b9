package dev.moa.grader;

import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutionException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes one Grade per committed FinalAnswer (key = request id). The send is awaited before the
 * answer's offset can commit, so a grade is never lost (a redelivered answer may be graded twice).
 */
@Component
public class AnswerListener {

  static final String LISTENER_ID = "moa-answers";

  private final GradeFactory grades;
  private final KafkaTemplate<String, Grade> template;
  private final MeterRegistry meters;

  public AnswerListener(
      GradeFactory grades, KafkaTemplate<String, Grade> gradeTemplate, MeterRegistry meters) {
    this.grades = grades;
    this.template = gradeTemplate;
    this.meters = meters;
  }

  @KafkaListener(
      id = LISTENER_ID,
      topics = "moa.answers",
      groupId = GraderWorkerConfiguration.GROUP_ID,
      containerFactory = GraderWorkerConfiguration.CONTAINER_FACTORY)
  public void onAnswer(FinalAnswer answer) throws InterruptedException, ExecutionException {
    Grade grade = grades.gradeFor(answer);
    template.send(Topics.GRADES.name(), grade.getRequestId(), grade).get();
    meters
        .counter(
            MetricNames.GRADES,
            MetricNames.TAG_GRADER,
            grade.getGrader(),
            MetricNames.TAG_STATUS,
            grade.getStatus().name())
        .increment();
  }
}
