package dev.moa.batch;

import dev.moa.eval.BadLine;
import dev.moa.eval.ReportWriter;
import dev.moa.eval.ResultLine;
import dev.moa.eval.ResultsFile;
import dev.moa.eval.RunInfo;
import dev.moa.eval.Sample;
import dev.moa.eval.Summary;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.runtime.kafka.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * One pass of a batch run over its directory, as {@code moa eval}, {@code moa grade}, {@code moa
 * sweep} and the console's resume do it: RUNNING on {@code moa.runs}, the engine over {@code
 * results.jsonl} with its counts published as it goes, then FINISHED or CANCELLED with the final
 * counts.
 */
public final class RunDriver {

  /** How long a cancelled run waits for what is in flight before recording it as cancelled. */
  public static final Duration CANCEL_GRACE = Duration.ofSeconds(60);

  /** How a pass ended: the ending, every result line of the directory, the final counts. */
  public record Outcome(
      RunEngine.Ending ending, List<ResultLine> lines, RunEngine.SampleCounts counts) {
    public String status() {
      return ending == RunEngine.Ending.CANCELLED ? "cancelled" : "completed";
    }
  }

  private RunDriver() {}

  /**
   * Runs {@code toRun} of the run of {@code manifest} in {@code dir} until every sample has a
   * result line or the run is cancelled. The caller closes {@code submitter}.
   */
  public static Outcome drive(
      KafkaSettings settings,
      RunManifest manifest,
      Path dir,
      String configName,
      List<Sample> toRun,
      int maxInFlight,
      Duration sampleTimeout,
      RunEngine.Submitter submitter,
      RunEngine.ProgressSink progress)
      throws IOException {
    RunState running =
        RunsTopic.state(
            manifest.runId(),
            RunStatus.RUNNING,
            manifest.dataset(),
            configName,
            toRun.size(),
            null);
    RunsTopic.publish(settings, running);
    RunEngine.Ending ending;
    List<ResultLine> lines;
    RunEngine.SampleCounts finalCounts;
    try (ResultsFile results = ResultsFile.open(dir.resolve("results.jsonl"));
        RunsTopic.CountsPublisher counts = new RunsTopic.CountsPublisher(settings, running);
        RunEngine engine =
            new RunEngine(
                settings,
                manifest.runId(),
                toRun,
                results,
                manifest.startOffsets(),
                maxInFlight,
                sampleTimeout,
                CANCEL_GRACE,
                Clock.systemUTC())) {
      ending = engine.run(submitter, progress, counts);
      finalCounts = engine.sampleCounts();
      lines = results.all();
    }
    RunsTopic.publish(
        settings,
        finalCounts.applyTo(
            RunsTopic.state(
                manifest.runId(),
                ending == RunEngine.Ending.CANCELLED ? RunStatus.CANCELLED : RunStatus.FINISHED,
                manifest.dataset(),
                configName,
                toRun.size(),
                null)));
    return new Outcome(ending, lines, finalCounts);
  }

  /** Writes summary.json and report.html of a run from its result lines; returns the summary. */
  public static Summary writeSummaryAndReport(
      Path dir, RunInfo info, List<ResultLine> lines, List<BadLine> badLines) throws IOException {
    Summary summary = Summary.of(info, lines);
    Files.writeString(dir.resolve("summary.json"), summary.toJson());
    ReportWriter.write(dir.resolve("report.html"), summary, lines, badLines);
    return summary;
  }
}
