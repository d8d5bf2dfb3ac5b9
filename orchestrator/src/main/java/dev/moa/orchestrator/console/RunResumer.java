package dev.moa.orchestrator.console;

import dev.moa.batch.EvalResume;
import dev.moa.batch.RunDriver;
import dev.moa.batch.RunEngine;
import dev.moa.batch.RunManifest;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ResolvedProvider;
import dev.moa.runtime.kafka.KafkaSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes interrupted {@code moa eval} runs of the runs dir in this process, one thread per run,
 * exactly as {@code moa eval --resume} does ({@link EvalResume}), and keeps each one's progress for
 * the console. A run is refused while this process resumes it, or while another driver keeps its
 * state on {@code moa.runs} fresh (the engine publishes it every few seconds).
 */
public final class RunResumer implements AutoCloseable {

  /** A RUNNING state younger than this has a live driver; an older one was interrupted. */
  public static final Duration LIVE_DRIVER = Duration.ofSeconds(15);

  /** The CLI's defaults for {@code --max-in-flight} and {@code --sample-timeout}. */
  static final int MAX_IN_FLIGHT = 64;

  static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(1800);

  private static final Logger log = LoggerFactory.getLogger(RunResumer.class);

  /**
   * A resume's progress as the engine last reported it.
   *
   * @param ending {@code completed} or {@code cancelled} once finished, {@code failed} when it
   *     stopped on an error, null while it runs
   */
  public record Progress(
      long done,
      long total,
      long failed,
      long tokens,
      int pending,
      long elapsedMs,
      boolean finished,
      String ending,
      String error) {

    /** This progress, finished with the given ending (and error, when it failed). */
    Progress finish(String ending, String error) {
      return new Progress(done, total, failed, tokens, pending, elapsedMs, true, ending, error);
    }
  }

  private final Path runsDir;
  private final KafkaSettings settings;
  private final Function<MoaConfig, Map<String, ResolvedProvider>> providers;
  private final Supplier<Collection<RunState>> states;
  private final Clock clock;
  private final Map<String, Progress> progress = new ConcurrentHashMap<>();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "console-resume");
            t.setDaemon(true);
            return t;
          });

  public RunResumer(
      Path runsDir,
      KafkaSettings settings,
      Function<MoaConfig, Map<String, ResolvedProvider>> providers,
      Supplier<Collection<RunState>> states,
      Clock clock) {
    this.runsDir = runsDir;
    this.settings = settings;
    this.providers = providers;
    this.states = states;
    this.clock = clock;
  }

  /**
   * Checks the run and starts resuming it in the background.
   *
   * @return its progress at the start
   * @throws EvalResume.RefusedException when it cannot be resumed (missing, complete, running,
   *     cancelled, only the CLI can, or invalid)
   */
  public synchronized Progress resume(String runId) throws EvalResume.RefusedException {
    if (!RunManifest.RUN_ID.matcher(runId).matches()) {
      throw new EvalResume.RefusedException(
          EvalResume.Refusal.MISSING, "no run directory for run id '" + runId + "'");
    }
    Progress mine = progress.get(runId);
    if (mine != null && !mine.finished()) {
      throw new EvalResume.RefusedException(
          EvalResume.Refusal.RUNNING, "run " + runId + " is already being resumed here");
    }
    EvalResume.Plan plan = EvalResume.plan(runsDir.resolve(runId));
    for (RunState s : states.get()) {
      if (!s.getRunId().equals(runId)) {
        continue;
      }
      if (s.getStatus() == RunStatus.CANCELLED) {
        throw new EvalResume.RefusedException(
            EvalResume.Refusal.CANCELLED,
            "run " + runId + " was cancelled; its results in " + plan.dir() + " are final");
      }
      long age = clock.millis() - s.getUpdatedAtMs();
      if (s.getStatus() == RunStatus.RUNNING && age < LIVE_DRIVER.toMillis()) {
        throw new EvalResume.RefusedException(
            EvalResume.Refusal.RUNNING,
            "run " + runId + " is running: its driver updated moa.runs " + age / 1000 + " s ago");
      }
    }
    Map<String, ResolvedProvider> resolved;
    try {
      resolved = providers.apply(plan.config());
    } catch (RuntimeException e) {
      throw new EvalResume.RefusedException(
          EvalResume.Refusal.INVALID, "run " + runId + ": " + e.getMessage());
    }
    Progress start =
        new Progress(
            plan.samples().size() - plan.pending(),
            plan.samples().size(),
            0,
            0,
            plan.pending(),
            0,
            false,
            null,
            null);
    progress.put(runId, start);
    threads.execute(() -> runResume(plan, resolved));
    return start;
  }

  private void runResume(EvalResume.Plan plan, Map<String, ResolvedProvider> resolved) {
    String runId = plan.manifest().runId();
    log.info("resuming run {}: {} samples pending in {}", runId, plan.pending(), plan.dir());
    RunEngine.ProgressSink sink =
        (c, elapsed, finished) ->
            progress.put(
                runId,
                new Progress(
                    c.done(),
                    c.total(),
                    c.failed(),
                    c.tokens(),
                    plan.pending(),
                    elapsed.toMillis(),
                    false,
                    null,
                    null));
    try {
      RunDriver.Outcome outcome =
          EvalResume.run(plan, settings, resolved, MAX_IN_FLIGHT, SAMPLE_TIMEOUT, sink);
      progress.computeIfPresent(runId, (id, last) -> last.finish(outcome.status(), null));
      log.info("resumed run {} {}", runId, outcome.status());
    } catch (Exception e) {
      log.warn("resuming run {} failed: {}", runId, e.toString());
      progress.computeIfPresent(
          runId, (id, last) -> last.finish("failed", String.valueOf(e.getMessage())));
    }
  }

  /** The progress of this process's latest resume of the run, if any. */
  public Optional<Progress> progress(String runId) {
    return Optional.ofNullable(progress.get(runId));
  }

  @Override
  public void close() {
    threads.shutdownNow();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
