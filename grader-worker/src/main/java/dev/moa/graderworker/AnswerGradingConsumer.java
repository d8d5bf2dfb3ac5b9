package dev.moa.graderworker;

import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.serde.RecordChecks;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.consume.AsyncConsumerGroup;
import dev.moa.runtime.consume.AsyncConsumerOptions;
import dev.moa.runtime.consume.AsyncRecordConsumer;
import dev.moa.runtime.kafka.DurablePublisher;
import dev.moa.runtime.kafka.KafkaSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Consumes committed FinalAnswers from {@code moa.answers} (read_committed) and publishes one Grade
 * per answer to {@code moa.grades} (key = request id).
 *
 * <p>Runs {@code concurrency} {@link AsyncRecordConsumer}s (group {@value
 * GraderWorkerConfiguration#GROUP_ID}). Each hands every answer to the {@link GradingService} at
 * once, so up to {@code grading-threads} answers are graded in parallel whatever their partitions,
 * and a slow grading (a hostile answer running into the sandbox's wall clock) holds back no other
 * answer. An answer's future completes only once Kafka acknowledged its grade, and a partition's
 * offset is committed only up to its first answer without an acknowledged grade: at least once, a
 * redelivered answer may be graded twice. A grade that cannot be sent is retried until it is, or
 * until shutdown, when its answer stays uncommitted; a grade too large for Kafka is replaced by an
 * ERROR grade without details. Undecodable answers go to {@code moa.answers-dlt}.
 */
@Component
public class AnswerGradingConsumer implements SmartLifecycle {

  private final GradingService grading;
  private final KafkaTemplate<String, Grade> grades;
  private final DurablePublisher<Grade> publisher;
  private final Producer<byte[], byte[]> deadLetters;
  private final KafkaSettings settings;
  private final MeterRegistry registry;
  private final GraderWorkerProperties props;
  private final AsyncConsumerGroup<FinalAnswer> consumers = new AsyncConsumerGroup<>("answers");
  private volatile boolean running;
  private volatile boolean closed;

  public AnswerGradingConsumer(
      GradingService grading,
      KafkaTemplate<String, Grade> gradeTemplate,
      Producer<byte[], byte[]> answerDeadLetterProducer,
      KafkaSettings settings,
      MeterRegistry registry,
      GraderWorkerProperties props) {
    this.grading = grading;
    this.grades = gradeTemplate;
    this.publisher =
        new DurablePublisher<>(
            g -> grades.send(Topics.GRADES.name(), g.getRequestId(), g),
            g -> "grade of " + g.getRequestId(),
            "answer",
            AnswerGradingConsumer::tooBig,
            () -> closed,
            new GradeMetrics(registry)::record);
    this.deadLetters = answerDeadLetterProducer;
    this.settings = settings;
    this.registry = registry;
    this.props = props;
  }

  /** Grades one answer; the future completes when its grade is in Kafka. */
  CompletableFuture<Void> onAnswer(FinalAnswer answer) {
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    grading.grade(answer).thenAccept(g -> publisher.publish(g, acknowledged));
    return acknowledged;
  }

  private static Grade tooBig(Grade grade, Throwable error) {
    return Grade.newBuilder(grade)
        .setStatus(GradeStatus.ERROR)
        .setDetailsJson("{}")
        .setReason(
            "grade could not be published ("
                + grade.getDetailsJson().length()
                + " chars of details, score "
                + grade.getScore()
                + " of "
                + grade.getMaxScore()
                + "): "
                + error)
        .build();
  }

  /** Answers received whose grades Kafka has not acknowledged yet. */
  public int inFlight() {
    return consumers.inFlight();
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    closed = false;
    consumers.start(
        props.concurrency(),
        i ->
            new AsyncRecordConsumer<>(
                settings,
                AsyncConsumerOptions.builder(
                        Topics.ANSWERS.name(), GraderWorkerConfiguration.GROUP_ID)
                    .name("moa-answers-" + i)
                    .maxInFlight(props.maxInFlight())
                    .drainTimeout(props.drainTimeout())
                    // only answers of committed aggregator transactions
                    .consumerProperties(
                        Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))
                    .build(),
                RecordChecks.checked(Serdes.FINAL_ANSWER),
                deadLetters,
                registry,
                this::onAnswer));
    running = true;
  }

  @Override
  public synchronized void stop() {
    try {
      consumers.stop(props.drainTimeout());
    } finally {
      closed = true;
      running = false;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Starts last and stops first: gradings drain while everything they need is still up. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }
}
