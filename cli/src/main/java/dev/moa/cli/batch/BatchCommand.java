package dev.moa.cli.batch;

import dev.moa.batch.ProgressPrinter;
import dev.moa.batch.RunDriver;
import dev.moa.batch.RunEngine;
import dev.moa.batch.RunManifest;
import dev.moa.batch.RunsTopic;
import dev.moa.batch.TopicSubmitter;
import dev.moa.cli.Dirs;
import dev.moa.cli.KafkaConnect;
import dev.moa.cli.KafkaOptions;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.cli.stack.StackState;
import dev.moa.eval.BadLine;
import dev.moa.eval.Dataset;
import dev.moa.eval.DatasetReader;
import dev.moa.eval.GraderRef;
import dev.moa.eval.ResultLine;
import dev.moa.eval.RunInfo;
import dev.moa.eval.Sample;
import dev.moa.eval.Summary;
import dev.moa.graders.Graders;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.config.ModelPrice;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code moa eval} and {@code moa grade} share: dataset checks, the run directory and its
 * manifest, choosing the cluster, the run engine, and the outputs (results.jsonl, summary.json,
 * report.html).
 */
public abstract class BatchCommand implements Callable<Integer> {

  public static final String LOCAL_STACK_DIR = ".stack";

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Where results.jsonl, summary.json and report.html go. Default: runs/<run-id>/.")
  Path out;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Run id ([A-Za-z0-9_.-], at most 64). Default: a new one from the date and time.")
  String runId;

  @Option(names = "--limit", paramLabel = "N", description = "Use only the first N samples.")
  Integer limit;

  @Option(
      names = "--grader",
      paramLabel = "TYPE",
      description =
          "Default grader for lines without a \"grader\": challenge, code, exact, numeric, choice, regex or judge.")
  String grader;

  @Option(
      names = "--grader-options",
      paramLabel = "JSON",
      description = "Options of the default grader as a JSON object, e.g. '{\"abs_tol\": 0.01}'.")
  String graderOptions;

  @Option(
      names = "--skip-bad-lines",
      description =
          "Run even when some dataset lines are bad; they are skipped and listed in the report.")
  boolean skipBadLines;

  @Option(
      names = "--resume",
      paramLabel = "DIR",
      description =
          "Carry on an interrupted run from its directory: only samples without a final grade are submitted; the dataset, config and options of the original run are used.")
  Path resume;

  @Option(
      names = "--max-in-flight",
      paramLabel = "N",
      defaultValue = "64",
      description = "Samples submitted but not yet graded, at most (default ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(
      names = "--sample-timeout",
      paramLabel = "SECONDS",
      defaultValue = "1800",
      description =
          "A sample without a graded answer this long after submission is recorded as failed (timeout). 0 = wait forever. Default: ${DEFAULT-VALUE}.")
  long sampleTimeoutSeconds;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "bar (redrawn in place), plain (a line every 10 s), none, or auto: a bar on a terminal, plain otherwise.")
  String progress;

  @Option(
      names = "--simulator-url",
      paramLabel = "URL",
      description =
          "With --bootstrap: the simulator (http://HOST:PORT/v1) for providers without a key.")
  String simulatorUrl;

  @Mixin KafkaOptions kafka = new KafkaOptions();

  /** The run's directory, known from {@link #prepare} on (it may not exist yet). */
  Path runDir;

  /** {@code eval} or {@code grade}. */
  abstract String kind();

  /** The dataset file of a new run. */
  abstract Path datasetFile() throws IOException;

  /** Checks kind-specific input of a new or resumed run before anything starts. */
  abstract void prepare(RunManifest manifest, List<Sample> samples) throws IOException;

  /** Samples that will actually run (e.g. grade: those with an answer). */
  List<Sample> runnable(List<Sample> samples) {
    return samples;
  }

  /** The manifest fields only this kind knows (config, answers, cache). */
  abstract RunManifest completeManifest(RunManifest base);

  /** Publishes samples once the cluster is known. */
  abstract RunEngine.Submitter submitter(KafkaSettings settings, String simulatorUrl, String id);

  abstract String configName();

  abstract String configHash();

  abstract boolean simulated();

  abstract Map<String, ModelPrice> prices();

  @Override
  public Integer call() throws Exception {
    LocalStack.Status status = LocalStack.Status.stderr();
    RunManifest manifest;
    Path dir;
    if (resume != null) {
      manifest = resumedManifest();
      dir = resume;
    } else {
      String id = runId != null ? checkRunId(runId) : newRunId();
      dir = out != null ? out : Path.of("runs", id);
      manifest = newManifest(id, dir);
    }
    Path datasetPath = Path.of(manifest.dataset());
    Dataset dataset = readDataset(datasetPath, manifest);
    List<Sample> samples = limitedSamples(dataset, manifest, datasetPath);
    runDir = dir;
    prepare(manifest, samples);
    List<Sample> toRun = runnable(samples);
    if (maxInFlight < 1) {
      throw new UserError(UserError.USAGE, "--max-in-flight: must be >= 1 but was " + maxInFlight);
    }
    ProgressPrinter.Mode mode = progressMode();

    Cluster cluster = null;
    AtomicBoolean finished = new AtomicBoolean();
    Thread hint = resumeHint(dir, finished);
    try {
      Files.createDirectories(dir);
      cluster = connect(manifest, dir, status);
      KafkaSettings settings = KafkaConnect.settings(cluster.bootstrap(), cluster.given());
      TopicAdmin.ensureTopics(settings, 30_000);
      checkRunOnCluster(settings, manifest, dir);
      if (resume == null) {
        manifest = withCluster(manifest, cluster, settings);
        manifest.write(dir);
      }
      ActiveRuns.register(manifest.runId(), cluster.bootstrap(), dir);
      announce(status, manifest, toRun.size(), datasetPath, dir);
      Runtime.getRuntime().addShutdownHook(hint);
      RunDriver.Outcome outcome = drive(settings, cluster.simulator(), manifest, dir, toRun, mode);
      writeOutputs(
          dir,
          runInfo(manifest, outcome.status(), samples.size(), dataset),
          outcome.lines(),
          dataset);
      finished.set(true);
      ActiveRuns.unregister(manifest.runId());
      return outcome.ending() == RunEngine.Ending.CANCELLED ? UserError.FAILED : 0;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hint);
      } catch (IllegalStateException | IllegalArgumentException ignored) {
        // Shutting down already, or never added.
      }
      if (cluster != null && cluster.stack() != null) {
        cluster.stack().close();
        if (finished.get()) {
          Dirs.deleteQuietly(dir.resolve(LOCAL_STACK_DIR));
        }
      }
    }
  }

  /** The manifest of the run to resume from {@code --resume DIR}, checked against this command. */
  private RunManifest resumedManifest() throws IOException {
    RunManifest manifest;
    try {
      manifest = RunManifest.read(resume);
    } catch (IllegalArgumentException e) {
      throw new UserError(UserError.USAGE, "--resume: " + e.getMessage());
    }
    if (!manifest.kind().equals(kind())) {
      throw new UserError(
          UserError.USAGE,
          "--resume "
              + resume
              + ": that is a '"
              + manifest.kind()
              + "' run; resume it with 'moa "
              + manifest.kind()
              + " --resume'");
    }
    checkUnchanged(manifest);
    return manifest;
  }

  /** The manifest of a new run {@code id} in {@code dir}, from the options; not written yet. */
  private RunManifest newManifest(String id, Path dir) throws IOException {
    if (Files.exists(dir.resolve(RunManifest.FILE))) {
      RunManifest other = RunManifest.read(dir);
      throw new UserError(
          UserError.USAGE,
          dir
              + " already holds run "
              + other.runId()
              + "; resume it with --resume "
              + dir
              + " or choose another --out");
    }
    Path dataset = datasetFile().toAbsolutePath();
    if (!Files.isRegularFile(dataset)) {
      throw new UserError(UserError.USAGE, "--dataset: no such file: " + dataset);
    }
    if (!Files.isReadable(dataset)) {
      throw new UserError(UserError.USAGE, "--dataset: cannot read " + dataset);
    }
    RunManifest base =
        new RunManifest(
            id,
            kind(),
            dataset.toString(),
            RunManifest.sha256(dataset),
            null,
            null,
            null,
            grader,
            graderOptions,
            skipBadLines,
            limit,
            false,
            kafka.simulatorProfile,
            null,
            kafka.bootstrap,
            simulatorUrl,
            null,
            Map.of(),
            System.currentTimeMillis());
    return completeManifest(base);
  }

  /** The dataset's samples, the first {@code --limit} of them when the run has a limit. */
  private static List<Sample> limitedSamples(
      Dataset dataset, RunManifest manifest, Path datasetPath) {
    List<Sample> samples = dataset.samples();
    if (manifest.limit() != null) {
      if (manifest.limit() < 1) {
        throw new UserError(UserError.USAGE, "--limit: must be >= 1 but was " + manifest.limit());
      }
      samples = samples.subList(0, Math.min(manifest.limit(), samples.size()));
    }
    if (samples.isEmpty()) {
      throw new UserError(UserError.USAGE, datasetPath + ": no samples to run");
    }
    return samples;
  }

  /** On Ctrl-C before the run finished: how to carry it on. */
  private Thread resumeHint(Path dir, AtomicBoolean finished) {
    return new Thread(
        () -> {
          if (!finished.get()) {
            System.err.println(
                "\nmoa: interrupted; carry on with: bin/moa " + kind() + " --resume " + dir);
          }
        });
  }

  /**
   * Where the run goes: {@code bootstrap} (given), {@code up} (the stack of 'moa up'), or {@code
   * local} (a private local stack, then {@code stack}).
   */
  private record Cluster(String kind, String bootstrap, String simulator, LocalStack stack) {
    boolean given() {
      return "bootstrap".equals(kind);
    }
  }

  /**
   * The cluster: an explicit bootstrap, the stack of 'moa up', or a private local stack whose data
   * lives in the run directory (so a resumed run finds its broker's records again).
   */
  private Cluster connect(RunManifest manifest, Path dir, LocalStack.Status status) {
    Optional<StackState> up = StackState.running();
    String explicit = kafka.bootstrap != null ? kafka.bootstrap : manifest.bootstrap();
    if (explicit != null) {
      return new Cluster(
          "bootstrap",
          explicit,
          simulatorUrl != null ? simulatorUrl : manifest.simulatorUrl(),
          null);
    }
    if (up.isPresent() && !"local".equals(manifest.stack())) {
      return new Cluster("up", up.get().bootstrap(), up.get().simulator(), null);
    }
    int simulatorPort = manifest.simulatorPort() == null ? 0 : manifest.simulatorPort();
    LocalStack stack =
        LocalStack.start(
            null,
            dir.resolve(LOCAL_STACK_DIR),
            0,
            simulatorPort,
            manifest.simulatorProfile(),
            status);
    return new Cluster("local", stack.bootstrap(), stack.simulator().baseUrl(), stack);
  }

  /** A new run's id must be new on the cluster; a cancelled run's results are final. */
  private void checkRunOnCluster(KafkaSettings settings, RunManifest manifest, Path dir) {
    RunState existing = RunsTopic.readAll(settings).get(manifest.runId());
    if (resume == null && existing != null) {
      throw new UserError(
          UserError.USAGE,
          "run id "
              + manifest.runId()
              + " is already used on this cluster (status "
              + existing.getStatus()
              + "); choose another --run-id");
    }
    if (resume != null && existing != null && existing.getStatus() == RunStatus.CANCELLED) {
      throw new UserError(
          UserError.USAGE,
          "run " + manifest.runId() + " was cancelled; its results in " + dir + " are final");
    }
  }

  /** A new run's manifest with its cluster, so that a resume finds it again. */
  private static RunManifest withCluster(
      RunManifest manifest, Cluster cluster, KafkaSettings settings) {
    return new RunManifest(
        manifest.runId(),
        manifest.kind(),
        manifest.dataset(),
        manifest.datasetSha256(),
        manifest.answers(),
        manifest.config(),
        manifest.configName(),
        manifest.defaultGraderType(),
        manifest.defaultGraderOptions(),
        manifest.skipBadLines(),
        manifest.limit(),
        manifest.cache(),
        manifest.simulatorProfile(),
        cluster.kind(),
        cluster.given() ? cluster.bootstrap() : null,
        cluster.given() ? cluster.simulator() : null,
        cluster.stack() != null ? cluster.stack().simulator().port() : null,
        RunEngine.currentEnds(settings),
        manifest.createdAtMs());
  }

  private void announce(
      LocalStack.Status status, RunManifest manifest, int samples, Path datasetPath, Path dir) {
    if (simulated()) {
      status.say("simulated model: no provider key set, the built-in simulator answers");
    }
    status.say(
        (resume != null ? "resuming" : "starting")
            + " run "
            + manifest.runId()
            + ": "
            + samples
            + " samples from "
            + datasetPath
            + " -> "
            + dir);
  }

  /** Submits the samples and follows them until every one is graded, timed out or cancelled. */
  private RunDriver.Outcome drive(
      KafkaSettings settings,
      String simulator,
      RunManifest manifest,
      Path dir,
      List<Sample> toRun,
      ProgressPrinter.Mode mode)
      throws Exception {
    RunEngine.Submitter submitter = submitter(settings, simulator, manifest.runId());
    try {
      return RunDriver.drive(
          settings,
          manifest,
          dir,
          configName(),
          toRun,
          maxInFlight,
          Duration.ofSeconds(sampleTimeoutSeconds),
          submitter,
          new ProgressPrinter(System.err, mode));
    } catch (TopicSubmitter.PublishFailedException e) {
      throw new UserError(UserError.KAFKA, e.getMessage());
    } finally {
      if (submitter instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  private RunInfo runInfo(RunManifest manifest, String endStatus, int samples, Dataset dataset) {
    return new RunInfo(
        manifest.runId(),
        manifest.dataset(),
        configName(),
        configHash(),
        simulated(),
        endStatus,
        manifest.createdAtMs(),
        System.currentTimeMillis(),
        samples,
        dataset.badLines(),
        prices());
  }

  private ProgressPrinter.Mode progressMode() {
    return switch (progress) {
      case "auto" -> ProgressPrinter.Mode.auto();
      case "bar" -> ProgressPrinter.Mode.BAR;
      case "plain" -> ProgressPrinter.Mode.PLAIN;
      case "none" -> ProgressPrinter.Mode.NONE;
      default ->
          throw new UserError(
              UserError.USAGE,
              "--progress: expected auto, bar, plain or none but was '" + progress + "'");
    };
  }

  private Dataset readDataset(Path file, RunManifest manifest) throws IOException {
    GraderRef dflt = manifest.defaultGrader();
    if (dflt != null) {
      try {
        new Graders().validate(dflt.type(), dflt.optionsJson(), null);
      } catch (IllegalArgumentException e) {
        // A target-less check may complain about the target only; options errors are real.
        if (!String.valueOf(e.getMessage()).contains("target")) {
          throw new UserError(UserError.USAGE, "--grader/--grader-options: " + e.getMessage());
        }
      }
    }
    Graders graders = new Graders();
    Dataset ds;
    try {
      ds = new DatasetReader(graders::validate).read(file, dflt);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserError(UserError.USAGE, "--dataset: no such file: " + file);
    } catch (IOException e) {
      throw new UserError(
          UserError.USAGE, "--dataset: cannot read " + file + ": " + e.getMessage());
    }
    if (!ds.clean()) {
      List<BadLine> bad = ds.badLines();
      int shown = Math.min(bad.size(), 20);
      for (int i = 0; i < shown; i++) {
        BadLine b = bad.get(i);
        System.err.println(
            "moa: "
                + file
                + ":"
                + b.line()
                + (b.id() == null ? "" : " (" + b.id() + ")")
                + ": "
                + b.reason());
      }
      if (bad.size() > shown) {
        System.err.println("moa: ... and " + (bad.size() - shown) + " more bad lines");
      }
      if (!manifest.skipBadLines()) {
        throw new UserError(
            UserError.USAGE,
            file
                + ": "
                + bad.size()
                + " bad line(s); fix them"
                + (ds.samples().isEmpty()
                    ? " (no line is good)"
                    : " or pass --skip-bad-lines to run the "
                        + ds.samples().size()
                        + " good ones"));
      }
      System.err.println("moa: skipping " + bad.size() + " bad line(s) (--skip-bad-lines)");
    }
    return ds;
  }

  private void checkUnchanged(RunManifest manifest) throws IOException {
    String problem = manifest.datasetProblem();
    if (problem != null) {
      throw new UserError(UserError.USAGE, "--resume: the run's " + problem);
    }
  }

  /**
   * Writes the run's outputs from its result lines and prints where they are: summary.json and
   * report.html here; a sweep writes its own.
   */
  void writeOutputs(Path dir, RunInfo info, List<ResultLine> lines, Dataset dataset)
      throws IOException {
    printSummary(RunDriver.writeSummaryAndReport(dir, info, lines, dataset.badLines()), dir);
  }

  private void printSummary(Summary summary, Path dir) {
    System.out.println(summary.oneParagraph());
    System.out.println("results: " + dir.resolve("results.jsonl"));
    System.out.println("summary: " + dir.resolve("summary.json"));
    System.out.println("report:  " + dir.resolve("report.html"));
  }

  static String checkRunId(String id) {
    if (!RunManifest.RUN_ID.matcher(id).matches()) {
      throw new UserError(
          UserError.USAGE,
          "--run-id: '"
              + id
              + "' must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or"
              + " digit");
    }
    return id;
  }

  static String newRunId() {
    return "run-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        + "-"
        + UUID.randomUUID().toString().substring(0, 4);
  }
}
