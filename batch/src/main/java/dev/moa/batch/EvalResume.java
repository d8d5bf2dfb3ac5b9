package dev.moa.batch;

import dev.moa.eval.Dataset;
import dev.moa.eval.DatasetReader;
import dev.moa.eval.ResultLine;
import dev.moa.eval.ResultsFile;
import dev.moa.eval.RunInfo;
import dev.moa.eval.Sample;
import dev.moa.graders.Graders;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ResolvedProvider;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resumes an interrupted {@code moa eval} run from its directory in any process that reaches the
 * run's cluster, exactly as {@code moa eval --resume DIR} does: the manifest's dataset (unchanged
 * since the start), config and options; answers and grades read back from the manifest's start
 * offsets; only samples without a result line are submitted. {@link #plan} checks everything first
 * and refuses with a reason; {@link #run} then does the work.
 */
public final class EvalResume {

  /** Why a run cannot be resumed here. */
  public enum Refusal {
    /** No run directory (no run.json). */
    MISSING,
    /** Every sample has a result line already. */
    COMPLETE,
    /** Something is writing the run right now. */
    RUNNING,
    /** The run was cancelled: its results are final. */
    CANCELLED,
    /** Only the CLI can resume it (a grade or sweep run, or one on its own local stack). */
    CLI_ONLY,
    /** Its directory or dataset is not usable (changed, unreadable, bad lines). */
    INVALID
  }

  /** A refused resume; the message says why and what to do instead. */
  public static final class RefusedException extends Exception {
    private final Refusal reason;

    public RefusedException(Refusal reason, String message) {
      super(message);
      this.reason = reason;
    }

    public Refusal reason() {
      return reason;
    }
  }

  /**
   * A checked resume.
   *
   * @param samples the run's samples (its limit applied)
   * @param pending those without a result line: what will be submitted
   */
  public record Plan(
      Path dir,
      RunManifest manifest,
      Dataset dataset,
      List<Sample> samples,
      MoaConfig config,
      int pending) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private EvalResume() {}

  /** Checks that the run in {@code dir} can be resumed here and what that will do. */
  public static Plan plan(Path dir) throws RefusedException {
    if (!Files.isRegularFile(dir.resolve(RunManifest.FILE))) {
      throw new RefusedException(
          Refusal.MISSING, "no run directory " + dir + " (" + RunManifest.FILE + " is missing)");
    }
    RunManifest m;
    try {
      m = RunManifest.read(dir);
    } catch (IllegalArgumentException e) {
      throw new RefusedException(Refusal.INVALID, e.getMessage());
    }
    String id = m.runId();
    if (!"eval".equals(m.kind())) {
      throw new RefusedException(
          Refusal.CLI_ONLY,
          "run "
              + id
              + " is a '"
              + m.kind()
              + "' run; resume it with: bin/moa "
              + m.kind()
              + " --resume "
              + dir);
    }
    if ("local".equals(m.stack())) {
      throw new RefusedException(
          Refusal.CLI_ONLY,
          "run "
              + id
              + " ran on its own local stack (its broker's data is in "
              + dir
              + "/.stack); resume it with: bin/moa eval --resume "
              + dir);
    }
    if ("cancelled".equals(summaryStatus(dir))) {
      throw new RefusedException(
          Refusal.CANCELLED, "run " + id + " was cancelled; its results in " + dir + " are final");
    }
    Path datasetFile = Path.of(m.dataset());
    Dataset dataset;
    try {
      String problem = m.datasetProblem();
      if (problem != null) {
        throw new RefusedException(Refusal.INVALID, "run " + id + ": its " + problem);
      }
      dataset = new DatasetReader(new Graders()::validate).read(datasetFile, m.defaultGrader());
    } catch (IOException e) {
      throw new RefusedException(
          Refusal.INVALID, "run " + id + ": cannot read " + datasetFile + ": " + e.getMessage());
    }
    if (!dataset.clean() && !m.skipBadLines()) {
      throw new RefusedException(
          Refusal.INVALID,
          datasetFile
              + ": "
              + dataset.badLines().size()
              + " bad line(s), first at line "
              + dataset.badLines().get(0).line()
              + ": "
              + dataset.badLines().get(0).reason());
    }
    List<Sample> samples = dataset.samples();
    if (m.limit() != null && m.limit() >= 1) {
      samples = samples.subList(0, Math.min(m.limit(), samples.size()));
    }
    MoaConfig config;
    try {
      config =
          m.config() == null
              ? ConfigLoader.defaultConfig()
              : ConfigLoader.load(Path.of(m.config()));
    } catch (ConfigException e) {
      throw new RefusedException(
          Refusal.INVALID, "run " + id + ": " + e.getMessage().replace("\n", "; "));
    }
    Set<String> done = new HashSet<>();
    Path results = dir.resolve("results.jsonl");
    if (Files.isRegularFile(results)) {
      try {
        ResultsFile.read(results).forEach(l -> done.add(l.id()));
      } catch (IOException e) {
        throw new RefusedException(Refusal.INVALID, results + ": " + e.getMessage());
      }
    }
    if (Files.isRegularFile(results)) {
      // The file is locked while a run writes it: a CLI run (or a resume) of this directory.
      try (ResultsFile open = ResultsFile.open(results)) {
        open.existing();
      } catch (IOException e) {
        throw new RefusedException(Refusal.RUNNING, "run " + id + " is running: " + e.getMessage());
      }
    }
    int pending = (int) samples.stream().filter(s -> !done.contains(s.id())).count();
    if (pending == 0) {
      throw new RefusedException(
          Refusal.COMPLETE,
          "run "
              + id
              + " is complete: all "
              + samples.size()
              + " samples have a result; nothing to resume");
    }
    return new Plan(dir, m, dataset, samples, config, pending);
  }

  /**
   * Resumes a planned run on the cluster of {@code settings}, then writes summary.json and
   * report.html as {@code moa eval} does.
   *
   * @param providers the config's providers as this process resolves them (keys, simulator)
   * @throws IOException when results.jsonl cannot be opened: another process is writing it
   */
  public static RunDriver.Outcome run(
      Plan plan,
      KafkaSettings settings,
      Map<String, ResolvedProvider> providers,
      int maxInFlight,
      Duration sampleTimeout,
      RunEngine.ProgressSink progress)
      throws IOException {
    RunManifest m = plan.manifest();
    MoaConfigSnapshot snapshot = RequestFactory.snapshot(plan.config(), providers);
    RunDriver.Outcome outcome;
    try (TopicSubmitter<MoaRequest> submitter =
        new TopicSubmitter<>(
            settings,
            "moa-eval-" + m.runId(),
            Topics.REQUESTS.name(),
            Serdes.REQUEST.serializer(),
            "requests",
            s -> EvalRequests.request(snapshot, m.runId(), m.cache(), s))) {
      outcome =
          RunDriver.drive(
              settings,
              m,
              plan.dir(),
              plan.config().name(),
              plan.samples(),
              maxInFlight,
              sampleTimeout,
              submitter,
              progress);
    }
    List<ResultLine> lines = outcome.lines();
    RunInfo info =
        new RunInfo(
            m.runId(),
            m.dataset(),
            plan.config().name(),
            snapshot.getConfigHash(),
            RequestFactory.simulated(snapshot),
            outcome.status(),
            m.createdAtMs(),
            System.currentTimeMillis(),
            plan.samples().size(),
            plan.dataset().badLines(),
            plan.config().prices());
    RunDriver.writeSummaryAndReport(plan.dir(), info, lines, plan.dataset().badLines());
    return outcome;
  }

  private static String summaryStatus(Path dir) {
    Path f = dir.resolve("summary.json");
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(Files.readString(f));
      return n.path("run").path("status").asString(null);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
