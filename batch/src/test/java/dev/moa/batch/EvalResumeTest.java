package dev.moa.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.eval.DatasetReader;
import dev.moa.eval.ResultLine;
import dev.moa.eval.ResultsFile;
import dev.moa.eval.Sample;
import dev.moa.graders.Graders;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalResumeTest {

  @TempDir Path tmp;

  static {
    dev.moa.protocol.serde.AvroTrust.install();
  }

  private Path dataset() throws Exception {
    Path f = tmp.resolve("data.jsonl");
    Files.writeString(
        f,
        """
        {"id": "a", "input": "A?", "target": "a", "grader": {"type": "exact"}}
        {"id": "b", "input": "B?", "target": "b", "grader": {"type": "exact"}}
        {"id": "c", "input": "C?", "target": "c", "grader": {"type": "exact"}}
        """);
    return f;
  }

  private Path runDir(String kind, String stack, Integer limit) throws Exception {
    Path data = dataset();
    Path dir = tmp.resolve("runs/r1");
    new RunManifest(
            "r1",
            kind,
            data.toString(),
            RunManifest.sha256(data),
            null,
            null,
            null,
            null,
            null,
            false,
            limit,
            false,
            null,
            stack,
            "127.0.0.1:9092",
            null,
            null,
            Map.of(),
            1000)
        .write(dir);
    return dir;
  }

  private void written(Path dir, String... ids) throws Exception {
    List<Sample> samples =
        new DatasetReader(new Graders()::validate).read(tmp.resolve("data.jsonl"), null).samples();
    try (ResultsFile f = ResultsFile.open(dir.resolve("results.jsonl"))) {
      for (String id : ids) {
        Sample s = samples.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        FinalAnswer a =
            FinalAnswer.newBuilder()
                .setRequestId("r1/" + id)
                .setRunId("r1")
                .setSampleId(id)
                .setStatus(AnswerStatus.FAILED)
                .setError("timeout")
                .setUsage(new Usage(0, 0))
                .setCompletedAtMs(2000)
                .build();
        f.append(ResultLine.of(s, a, null));
      }
    }
  }

  private static EvalResume.Refusal refusal(Path dir) {
    try {
      EvalResume.plan(dir);
      throw new AssertionError("not refused");
    } catch (EvalResume.RefusedException e) {
      return e.reason();
    }
  }

  @Test
  void onlySamplesWithoutAResultLineArePending() throws Exception {
    Path dir = runDir("eval", "bootstrap", null);
    written(dir, "b");

    EvalResume.Plan plan = EvalResume.plan(dir);

    assertThat(plan.samples()).extracting(Sample::id).containsExactly("a", "b", "c");
    assertThat(plan.pending()).isEqualTo(2);
    assertThat(plan.config().name()).isNotBlank();
  }

  @Test
  void theRunsLimitDecidesWhenItIsComplete() throws Exception {
    Path dir = runDir("eval", "up", 2);
    written(dir, "a", "b");

    assertThatThrownBy(() -> EvalResume.plan(dir))
        .isInstanceOf(EvalResume.RefusedException.class)
        .hasMessage("run r1 is complete: all 2 samples have a result; nothing to resume");
  }

  @Test
  void aMissingDirectoryIsRefusedAsMissing() {
    assertThat(refusal(tmp.resolve("runs/nope"))).isEqualTo(EvalResume.Refusal.MISSING);
  }

  @Test
  void gradeRunsAndRunsOnTheirOwnLocalStackAreLeftToTheCli() throws Exception {
    Path grade = runDir("grade", "bootstrap", null);
    assertThatThrownBy(() -> EvalResume.plan(grade))
        .hasMessageContaining("resume it with: bin/moa grade --resume");
    Path local = runDir("eval", "local", null);
    assertThat(refusal(local)).isEqualTo(EvalResume.Refusal.CLI_ONLY);
  }

  @Test
  void aChangedDatasetIsRefusedNamingTheFile() throws Exception {
    Path dir = runDir("eval", "bootstrap", null);
    Files.writeString(tmp.resolve("data.jsonl"), "{\"id\": \"x\", \"input\": \"X?\"}\n");

    assertThatThrownBy(() -> EvalResume.plan(dir))
        .hasMessageContaining(tmp.resolve("data.jsonl").toString())
        .hasMessageContaining("changed since the run started");
  }

  @Test
  void aCancelledRunIsFinal() throws Exception {
    Path dir = runDir("eval", "bootstrap", null);
    Files.writeString(dir.resolve("summary.json"), "{\"run\": {\"status\": \"cancelled\"}}");
    assertThat(refusal(dir)).isEqualTo(EvalResume.Refusal.CANCELLED);
  }

  @Test
  void aRunWhoseResultsFileIsOpenForWritingIsRunning() throws Exception {
    Path dir = runDir("eval", "bootstrap", null);
    written(dir, "a");
    try (ResultsFile writer = ResultsFile.open(dir.resolve("results.jsonl"))) {
      assertThat(refusal(dir)).isEqualTo(EvalResume.Refusal.RUNNING);
    }
    assertThat(EvalResume.plan(dir).pending()).isEqualTo(2);
  }
}
