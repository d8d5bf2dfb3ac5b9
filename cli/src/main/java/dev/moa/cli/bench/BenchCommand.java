package dev.moa.cli.bench;

import dev.moa.cli.Dirs;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.graders.BwrapSandbox;
import dev.moa.graders.ChallengeGrader;
import dev.moa.graders.GradeResult;
import dev.moa.graderworker.GraderWorkerApplication;
import dev.moa.graderworker.GradingService;
import dev.moa.localkafka.LocalBroker;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks that print a table of their figures and targets (ratios measured side by side in one run); with --json one object {benchmark, figures, targets}. See docs/benchmarks.md."
    },
    subcommands = {
      OverheadBench.class,
      ThroughputBench.class,
      InflightBench.class,
      ScalingBench.class,
      FootprintBench.class,
      RateLimitBench.class,
      BenchCommand.Grading.class
    })
public final class BenchCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "grading",
      mixinStandardHelpOptions = true,
      description = {
        "Sandboxed code gradings per second: N correct answers to the 120-point challenge, graded twice with the same parallelism. First straight through the graders library (ChallengeGrader on its sandbox pool, no Kafka), then through a real local broker and one grader worker (publish FinalAnswers to moa.answers, count the grades on moa.grades). Prints both side by side, with per-grading latency p50/p95 (--json: one JSON object). Needs bubblewrap (/usr/bin/bwrap)."
      })
  static final class Grading implements Callable<Integer> {
    static final double TARGET_PER_SECOND = 50;

    /** A correct solution of the challenge (120 points, letter A). */
    static final String CORRECT_SOLUTION =
        "Here is the fixed function:\n\n```python\n"
            + dev.moa.graders.ChallengeGrader.referenceSolution()
            + "```\n";

    @Option(
        names = "--answers",
        defaultValue = "500",
        description = "measured gradings per run (default ${DEFAULT-VALUE})")
    int answers;

    @Option(
        names = "--warmup",
        defaultValue = "50",
        description = "unmeasured gradings first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(
        names = "--parallelism",
        paramLabel = "N",
        description =
            "gradings at once: library threads, and the worker's grading threads and sandboxes"
                + " (default: the worker's default, one per core, at least 2)")
    Integer parallelism;

    @Option(
        names = "--sandbox-max-uses",
        paramLabel = "N",
        description =
            "gradings one sandbox serves, in both runs (default: the worker's, 1 = every grading in"
                + " its own bubblewrap process)")
    Integer maxUses;

    @Option(names = "--json", description = "print one JSON object instead of the table")
    boolean json;

    /** Figures of one run. */
    record Run(int gradings, double seconds, double[] latenciesMs) {
      double perSecond() {
        return gradings / seconds;
      }
    }

    @Override
    public Integer call() throws Exception {
      if (answers < 1) {
        throw new UserError(UserError.USAGE, "--answers: " + answers + " must be >= 1");
      }
      if (warmup < 0) {
        throw new UserError(UserError.USAGE, "--warmup: " + warmup + " must be >= 0");
      }
      int par = parallelism == null ? BwrapSandbox.defaultPoolSize() : parallelism;
      if (par < 1) {
        throw new UserError(UserError.USAGE, "--parallelism: " + par + " must be >= 1");
      }
      if (uses() < 1) {
        throw new UserError(UserError.USAGE, "--sandbox-max-uses: " + uses() + " must be >= 1");
      }
      if (!new BwrapSandbox().available()) {
        throw new UserError(
            UserError.FAILED,
            "bubblewrap (/usr/bin/bwrap) and /usr/bin/python3 are needed to grade code; install"
                + " bubblewrap (apt-get install bubblewrap)");
      }
      LocalStack.Status status = json ? LocalStack.Status.quiet() : LocalStack.Status.stderr();
      status.say("library: " + warmup + " + " + answers + " gradings, parallelism " + par);
      Run library = library(par);
      int emptyStarts = Math.max(60, answers / 2);
      status.say("ceiling: " + emptyStarts + " empty sandboxes, parallelism " + par);
      double ceiling = new BwrapSandbox().emptySandboxStartsPerSecond(emptyStarts, par);
      status.say("worker: starting a local broker and a grader worker");
      Path dir = Files.createTempDirectory("moa-bench-grading");
      Run worker;
      double[] workerGradingMs;
      try (LocalBroker broker =
          LocalBroker.start(0, dir.resolve("broker"), Duration.ofSeconds(120))) {
        KafkaSettings settings = KafkaSettings.local(broker.bootstrap());
        TopicAdmin.ensureTopics(settings, 30_000);
        try (ConfigurableApplicationContext app =
            LocalStack.startService(
                GraderWorkerApplication.class,
                broker.bootstrap(),
                0,
                Map.of(
                    "moa.grader-worker.grading-threads", String.valueOf(par),
                    "moa.grader-worker.sandbox.pool-size", String.valueOf(par),
                    "moa.grader-worker.sandbox.max-uses", String.valueOf(uses())))) {
          status.say("worker: " + warmup + " + " + answers + " answers through Kafka");
          worker = worker(settings);
          workerGradingMs = gradingPercentiles(app.getBean(MeterRegistry.class));
        }
      } finally {
        Dirs.deleteQuietly(dir);
      }
      BenchReport report = new BenchReport("grading", null);
      report.figure("answers", answers);
      report.figure("warmup", warmup);
      report.figure("parallelism", par);
      report.figure("sandbox_max_uses", uses());
      report.figure("cores", Runtime.getRuntime().availableProcessors());
      report.figure("library_seconds", library.seconds());
      report.figure("library_gradings_per_s", library.perSecond());
      report.figure("library_latency_ms_p50", BenchStats.percentile(library.latenciesMs(), 50));
      report.figure("library_latency_ms_p95", BenchStats.percentile(library.latenciesMs(), 95));
      report.figure("worker_seconds", worker.seconds());
      report.figure("worker_gradings_per_s", worker.perSecond());
      report.figure("worker_latency_ms_p50", workerGradingMs[0]);
      report.figure("worker_latency_ms_p95", workerGradingMs[1]);
      report.figure(
          "worker_publish_to_grade_ms_p50", BenchStats.percentile(worker.latenciesMs(), 50));
      report.figure(
          "worker_publish_to_grade_ms_p95", BenchStats.percentile(worker.latenciesMs(), 95));
      report.figure("worker_over_library", worker.perSecond() / library.perSecond());
      report.figure("empty_sandbox_starts_per_s", ceiling);
      report.figure("worker_over_empty_sandbox", worker.perSecond() / ceiling);
      report.target(
          BenchReport.Target.atLeast("worker gradings/s", worker.perSecond(), TARGET_PER_SECOND));
      if (json) {
        System.out.println(report.toJson());
        return 0;
      }
      {
        System.out.println(
            "benchmark grading (challenge, "
                + answers
                + " correct answers, parallelism "
                + par
                + ", sandbox max uses "
                + uses()
                + ", "
                + Runtime.getRuntime().availableProcessors()
                + " cores)");
        System.out.printf("  %-26s %14s %14s%n", "", "library", "worker+Kafka");
        System.out.printf(
            "  %-26s %14.1f %14.1f%n", "gradings/s", library.perSecond(), worker.perSecond());
        System.out.printf(
            "  %-26s %14.1f %14.1f%n",
            "grading latency p50 (ms)",
            BenchStats.percentile(library.latenciesMs(), 50),
            workerGradingMs[0]);
        System.out.printf(
            "  %-26s %14.1f %14.1f%n",
            "grading latency p95 (ms)",
            BenchStats.percentile(library.latenciesMs(), 95),
            workerGradingMs[1]);
        System.out.printf(
            "  %-26s %14s %14.1f%n",
            "publish -> grade p50 (ms)", "", BenchStats.percentile(worker.latenciesMs(), 50));
        System.out.printf(
            "  %-26s %14s %14.1f%n",
            "publish -> grade p95 (ms)", "", BenchStats.percentile(worker.latenciesMs(), 95));
        System.out.printf("  %-26s %14.1f%n", "empty sandboxes/s", ceiling);
        System.out.println(
            "  (empty sandboxes/s: bubblewrap + python3 -c pass with the grading sandbox's flags and"
                + " the same parallelism, no grading: the ceiling of one sandbox per grading.)");
        System.out.println(
            "  (grading latency: one grading; the worker's from its moa.grading.duration timer."
                + " publish -> grade: all answers are published at once, so it includes the"
                + " queue.)");
        System.out.printf(
            "  target: worker >= %.0f gradings/s: %.1f %s%n",
            TARGET_PER_SECOND,
            worker.perSecond(),
            worker.perSecond() >= TARGET_PER_SECOND ? "met" : "MISSED");
      }
      return 0;
    }

    /** p50 and p95 (ms) of the worker's challenge gradings, from its grading timer. */
    static double[] gradingPercentiles(MeterRegistry registry) {
      var snapshot =
          registry
              .get(GradingService.GRADING_DURATION)
              .tag("grader", "challenge")
              .tag("status", "GRADED")
              .timer()
              .takeSnapshot();
      double[] out = new double[2];
      for (var v : snapshot.percentileValues()) {
        if (v.percentile() == 0.5) {
          out[0] = v.value(TimeUnit.MILLISECONDS);
        } else if (v.percentile() == 0.95) {
          out[1] = v.value(TimeUnit.MILLISECONDS);
        }
      }
      return out;
    }

    private int uses() {
      return maxUses == null ? BwrapSandbox.DEFAULT_MAX_USES : maxUses;
    }

    /** The same gradings straight through the library, {@code par} at a time. */
    private Run library(int par) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(par);
      try (BwrapSandbox sandbox =
          new BwrapSandbox(
              Path.of("/usr/bin/bwrap"),
              Path.of("/usr/bin/python3"),
              BwrapSandbox.DEFAULT_WALL_MILLIS,
              par,
              uses())) {
        ChallengeGrader grader = new ChallengeGrader(sandbox);
        runLibrary(pool, grader, warmup);
        long start = System.nanoTime();
        double[] latencies = runLibrary(pool, grader, answers);
        return new Run(answers, (System.nanoTime() - start) / 1e9, latencies);
      } finally {
        pool.shutdownNow();
      }
    }

    private static double[] runLibrary(ExecutorService pool, ChallengeGrader grader, int n)
        throws Exception {
      List<Future<Double>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  long t = System.nanoTime();
                  GradeResult r = grader.grade(CORRECT_SOLUTION, null, null);
                  double ms = (System.nanoTime() - t) / 1e6;
                  if (!(r instanceof GradeResult.Scored s) || s.score() != ChallengeGrader.MAX) {
                    throw new UserError(UserError.FAILED, "a correct answer was graded " + r);
                  }
                  return ms;
                }));
      }
      double[] latencies = new double[n];
      for (int i = 0; i < n; i++) {
        try {
          latencies[i] = futures.get(i).get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UserError u) {
            throw u;
          }
          throw e;
        }
      }
      return latencies;
    }

    /** Warm-up, then N answers published at once; the rate is N / (last grade - first send). */
    private Run worker(KafkaSettings settings) {
      String runId = "bench-grading-" + UUID.randomUUID();
      try (KafkaProducer<String, FinalAnswer> producer =
              new KafkaProducer<>(
                  settings.producer("moa-bench-grading"),
                  new StringSerializer(),
                  Serdes.FINAL_ANSWER.serializer());
          KafkaConsumer<String, Grade> grades =
              new KafkaConsumer<>(
                  settings.consumer("moa-bench-grading-" + UUID.randomUUID(), false),
                  new StringDeserializer(),
                  Serdes.GRADE.deserializer())) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < Topics.GRADES.partitions(); p++) {
          partitions.add(new TopicPartition(Topics.GRADES.name(), p));
        }
        grades.assign(partitions);
        grades.seekToEnd(partitions);
        partitions.forEach(grades::position);
        publishAndAwait(producer, grades, runId + "-warmup", warmup);
        Batch b = publishAndAwait(producer, grades, runId, answers);
        return new Run(answers, (b.lastGradeNanos() - b.firstSendNanos()) / 1e9, b.latenciesMs());
      }
    }

    /** One batch's timing: per answer, publish to grade read; first send; last grade read. */
    record Batch(double[] latenciesMs, long firstSendNanos, long lastGradeNanos) {}

    /** Publishes {@code n} correct answers at once and waits for their grades. */
    private Batch publishAndAwait(
        KafkaProducer<String, FinalAnswer> producer,
        KafkaConsumer<String, Grade> grades,
        String runId,
        int n) {
      Map<String, Long> sentAt = new LinkedHashMap<>();
      long first = System.nanoTime();
      for (int i = 0; i < n; i++) {
        String id = runId + "-" + i;
        FinalAnswer a =
            FinalAnswer.newBuilder()
                .setRequestId(id)
                .setRunId(runId)
                .setSampleId("challenge-" + i)
                .setConfigName("bench")
                .setStatus(AnswerStatus.SUCCEEDED)
                .setAnswer(CORRECT_SOLUTION)
                .setUsage(new dev.moa.protocol.avro.Usage(0, 0))
                .setGrading(new GradingSpec("challenge", "{}", null))
                .setCompletedAtMs(System.currentTimeMillis())
                .build();
        sentAt.put(id, System.nanoTime());
        producer.send(new ProducerRecord<>(Topics.ANSWERS.name(), id, a));
      }
      producer.flush();
      double[] latencies = new double[n];
      int received = 0;
      long last = first;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (received < n) {
        if (System.nanoTime() > deadline) {
          throw new UserError(
              UserError.FAILED,
              "only " + received + " of " + n + " grades arrived within 10 minutes");
        }
        for (ConsumerRecord<String, Grade> r : grades.poll(Duration.ofMillis(50))) {
          Grade g = r.value();
          Long sent = sentAt.remove(g.getRequestId());
          if (sent == null) {
            continue; // not ours, or a redelivered duplicate
          }
          if (g.getStatus() != GradeStatus.GRADED || g.getScore() != ChallengeGrader.MAX) {
            throw new UserError(
                UserError.FAILED,
                "a correct answer was graded "
                    + g.getStatus()
                    + " "
                    + g.getScore()
                    + ": "
                    + g.getReason());
          }
          last = System.nanoTime();
          latencies[received++] = (last - sent) / 1e6;
        }
      }
      return new Batch(latencies, first, last);
    }
  }
}
