package dev.moa.graderworker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.graders.BwrapSandbox;
import dev.moa.graders.Graders;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.GradingSpec;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GradingServiceTest {

  /** Runs tasks on the calling thread and remembers which executor got them. */
  static final class Recording implements Executor {
    final String name;
    final List<String> log;

    Recording(String name, List<String> log) {
      this.name = name;
      this.log = log;
    }

    @Override
    public void execute(Runnable command) {
      log.add(name);
      command.run();
    }
  }

  private static final BwrapSandbox NO_SANDBOX =
      new BwrapSandbox(Path.of("/nonexistent/bwrap"), Path.of("/nonexistent/python3"));

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> used = new ArrayList<>();
  private final GradeFactory factory =
      new GradeFactory(
          new Graders(NO_SANDBOX, (messages, model, maxTokens) -> "Good.\nScore: 7"),
          GradeFactoryTest.CLOCK);

  private GradingService service(Executor grading, Executor judge) {
    return new GradingService(factory, grading, judge, registry);
  }

  private static FinalAnswer answer(GradingSpec spec) {
    return GradeFactoryTest.answer().setGrading(spec).build();
  }

  @Test
  void judgeGradingsRunOnTheJudgeExecutorAndTheRestOnTheGradingExecutor() throws Exception {
    GradingService s = service(new Recording("grading", used), new Recording("judge", used));

    Grade judged = s.grade(answer(new GradingSpec("judge", "{}", null))).get(5, TimeUnit.SECONDS);
    Grade exact = s.grade(answer(GradeFactoryTest.EXACT)).get(5, TimeUnit.SECONDS);
    Grade none = s.grade(GradeFactoryTest.answer().build()).get(5, TimeUnit.SECONDS);

    assertThat(used).containsExactly("judge", "grading", "grading");
    assertThat(judged.getScore()).isEqualTo(7);
    assertThat(exact.getStatus()).isEqualTo(GradeStatus.GRADED);
    assertThat(none.getStatus()).isEqualTo(GradeStatus.NOT_GRADED);
  }

  @Test
  void everyGradingIsTimedByGraderAndStatus() throws Exception {
    GradingService s = service(Runnable::run, Runnable::run);

    s.grade(answer(GradeFactoryTest.EXACT)).get(5, TimeUnit.SECONDS);
    s.grade(answer(GradeFactoryTest.EXACT)).get(5, TimeUnit.SECONDS);
    s.grade(answer(new GradingSpec("code", "{}", null))).get(5, TimeUnit.SECONDS);

    Timer graded =
        registry
            .get(GradingService.GRADING_DURATION)
            .tag("grader", "exact")
            .tag("status", "GRADED")
            .timer();
    assertThat(graded.count()).isEqualTo(2);
    assertThat(graded.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(
            registry
                .get(GradingService.GRADING_DURATION)
                .tag("grader", "code")
                .tag("status", "ERROR")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void anExecutorThatRefusesTheGradingGivesAnErrorGradeNotALostAnswer() throws Exception {
    Executor refusing =
        command -> {
          throw new RejectedExecutionException("pool shut down");
        };
    Grade g =
        service(refusing, refusing).grade(answer(GradeFactoryTest.EXACT)).get(5, TimeUnit.SECONDS);

    assertThat(g.getStatus()).isEqualTo(GradeStatus.ERROR);
    assertThat(g.getGrader()).isEqualTo("exact");
    assertThat(g.getReason()).contains("grading did not run").contains("pool shut down");
  }
}
