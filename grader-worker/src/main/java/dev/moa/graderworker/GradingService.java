package dev.moa.graderworker;

import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.runtime.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Grades answers off the consumer thread: judge gradings (network-bound) on their own executor,
 * every other grading (sandboxed code is CPU-bound) on the grading executor. Each grading is timed
 * ({@value #GRADING_DURATION}, tags {@code grader} and {@code status}). The future always completes
 * with a Grade: a grading that breaks, or an executor that refuses it, becomes an ERROR grade.
 */
public final class GradingService {

  /** Time to grade one answer, without publishing its grade (tags grader, status). */
  public static final String GRADING_DURATION = "moa.grading.duration";

  public static final String JUDGE_TYPE = "judge";

  /** Histogram buckets of {@value #GRADING_DURATION}: text graders to the sandbox's wall clock. */
  static final Duration[] BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  private final GradeFactory factory;
  private final Executor gradingExecutor;
  private final Executor judgeExecutor;
  private final MeterRegistry registry;

  public GradingService(
      GradeFactory factory,
      Executor gradingExecutor,
      Executor judgeExecutor,
      MeterRegistry registry) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.gradingExecutor = Objects.requireNonNull(gradingExecutor, "gradingExecutor");
    this.judgeExecutor = Objects.requireNonNull(judgeExecutor, "judgeExecutor");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  public CompletableFuture<Grade> grade(FinalAnswer answer) {
    GradingSpec spec = answer.getGrading();
    Executor executor =
        spec != null && JUDGE_TYPE.equals(spec.getType()) ? judgeExecutor : gradingExecutor;
    CompletableFuture<Grade> graded;
    try {
      graded = CompletableFuture.supplyAsync(() -> timed(answer), executor);
    } catch (RuntimeException e) {
      graded = CompletableFuture.failedFuture(e);
    }
    return graded.exceptionally(
        e -> factory.error(answer, GradeFactory.graderName(answer), "grading did not run: " + e));
  }

  /** Grades on the calling thread. */
  Grade timed(FinalAnswer answer) {
    long start = System.nanoTime();
    Grade grade;
    try {
      grade = factory.gradeFor(answer);
    } catch (RuntimeException | StackOverflowError e) {
      grade = factory.error(answer, GradeFactory.graderName(answer), "grading broke: " + e);
    }
    Timer.builder(GRADING_DURATION)
        .description("Time to grade one answer")
        .tag(MetricNames.TAG_GRADER, grade.getGrader())
        .tag(MetricNames.TAG_STATUS, grade.getStatus().name())
        .serviceLevelObjectives(BUCKETS)
        .publishPercentiles(0.5, 0.95)
        .register(registry)
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    return grade;
  }
}
