package dev.moa.cli.batch;

import dev.moa.batch.EvalRequests;
import dev.moa.batch.RunEngine;
import dev.moa.batch.RunManifest;
import dev.moa.batch.TopicSubmitter;
import dev.moa.cli.UserError;
import dev.moa.eval.Answers;
import dev.moa.eval.AnswersReader;
import dev.moa.eval.BadLine;
import dev.moa.eval.Sample;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.config.ModelPrice;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "grade",
    mixinStandardHelpOptions = true,
    description = {
      "Grade existing answers through the grader workers, without calling any model: each answer (JSONL lines {\"id\", \"answer\"}) is graded with its dataset sample's grader and target. Same outputs as 'moa eval' (results.jsonl, summary.json, report.html). Samples without an answer are counted as not run; answers whose id is not in the dataset are bad lines.",
      "",
      "Exit code 0 when grading completed, 1 when it was cancelled, 2 on bad input, 3 when Kafka cannot be reached."
    })
public final class GradeCommand extends BatchCommand {

  @Option(names = "--dataset", paramLabel = "FILE", description = "JSONL dataset (required).")
  Path dataset;

  @Option(
      names = "--answers",
      paramLabel = "FILE",
      description = "JSONL answers, one {\"id\", \"answer\"} per line (required).")
  Path answersFile;

  private Answers answers;

  @Override
  String kind() {
    return "grade";
  }

  @Override
  Path datasetFile() {
    if (dataset == null) {
      throw new UserError(UserError.USAGE, "--dataset FILE is required");
    }
    if (answersFile == null) {
      throw new UserError(UserError.USAGE, "--answers FILE is required");
    }
    return dataset;
  }

  @Override
  RunManifest completeManifest(RunManifest b) {
    return b.withCommandFields(answersFile.toAbsolutePath().toString(), null, "grade-only", false);
  }

  @Override
  void prepare(RunManifest manifest, List<Sample> samples) throws IOException {
    Path file = Path.of(manifest.answers());
    try {
      answers = AnswersReader.read(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserError(UserError.USAGE, "--answers: no such file: " + file);
    }
    java.util.Set<String> ids = new java.util.HashSet<>();
    samples.forEach(s -> ids.add(s.id()));
    List<BadLine> bad = new java.util.ArrayList<>(answers.badLines());
    for (String id : answers.byId().keySet()) {
      if (!ids.contains(id)) {
        bad.add(new BadLine(-1, id, "answer id '" + id + "' is not a sample of the dataset"));
      }
    }
    if (!bad.isEmpty()) {
      for (BadLine b : bad) {
        System.err.println(
            "moa: "
                + file
                + (b.line() > 0 ? ":" + b.line() : "")
                + (b.id() == null ? "" : " (" + b.id() + ")")
                + ": "
                + b.reason());
      }
      if (!manifest.skipBadLines()) {
        throw new UserError(
            UserError.USAGE,
            file + ": " + bad.size() + " bad answer line(s); fix them or pass --skip-bad-lines");
      }
    }
  }

  @Override
  List<Sample> runnable(List<Sample> samples) {
    List<Sample> withAnswer =
        samples.stream().filter(s -> answers.byId().containsKey(s.id())).toList();
    if (withAnswer.isEmpty()) {
      throw new UserError(UserError.USAGE, "no answer matches a sample of the dataset");
    }
    return withAnswer;
  }

  @Override
  RunEngine.Submitter submitter(KafkaSettings settings, String simulatorUrl, String runId) {
    Map<String, String> byId = answers.byId();
    return new TopicSubmitter<>(
        settings,
        "moa-grade-" + runId,
        Topics.ANSWERS.name(),
        Serdes.FINAL_ANSWER.serializer(),
        "answers",
        s -> answer(runId, byId.get(s.id()), s));
  }

  @Override
  String configName() {
    return "grade-only";
  }

  @Override
  String configHash() {
    return "";
  }

  @Override
  boolean simulated() {
    return false;
  }

  @Override
  Map<String, ModelPrice> prices() {
    return Map.of();
  }

  /** A given answer as the FinalAnswer the grader workers grade. */
  static TopicSubmitter.Keyed<FinalAnswer> answer(String runId, String text, Sample s) {
    long now = System.currentTimeMillis();
    FinalAnswer answer =
        FinalAnswer.newBuilder()
            .setRequestId(RequestFactory.sampleRequestId(runId, s.id()))
            .setRunId(runId)
            .setSampleId(s.id())
            .setConfigName("grade-only")
            .setStatus(AnswerStatus.SUCCEEDED)
            .setAnswer(text)
            .setUsage(new Usage(0, 0))
            .setGrading(EvalRequests.grading(s))
            .setSubmittedAtMs(now)
            .setCompletedAtMs(now)
            .build();
    return new TopicSubmitter.Keyed<>(answer.getRequestId(), answer);
  }
}
