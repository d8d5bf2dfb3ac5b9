package dev.moa.cli.batch;

import dev.moa.batch.EvalRequests;
import dev.moa.batch.RunEngine;
import dev.moa.batch.RunManifest;
import dev.moa.batch.TopicSubmitter;
import dev.moa.cli.Configs;
import dev.moa.cli.UserError;
import dev.moa.eval.Sample;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ModelPrice;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.request.RequestLimits;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Run every sample of a JSONL dataset through the MoA pipeline, grade every final answer, and write results.jsonl (one line per sample), summary.json and a self-contained report.html.",
      "",
      "Without arguments it runs the bundled demo dataset (the 120-point calculate_user_metrics challenge and a few dozen exact, numeric and choice questions) with the default config on a local stack. Dataset lines: {\"id\", \"input\" (text or chat messages), \"target\", \"grader\": {\"type\", ...options}, \"metadata\"}. Bad lines are reported with their line numbers and stop the run unless --skip-bad-lines is given.",
      "",
      "An interrupted run carries on with --resume DIR; 'moa cancel RUN_ID' stops one. Exit code 0 when the run completed, 1 when it was cancelled, 2 on bad input, 3 when Kafka cannot be reached."
    })
public final class EvalCommand extends BatchCommand {

  static final String DEMO_RESOURCE = "/dev/moa/cli/datasets/demo.jsonl";

  @Option(
      names = "--dataset",
      paramLabel = "FILE",
      description = "JSONL dataset. Default: the bundled datasets/demo.jsonl.")
  Path dataset;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "MoA config (YAML). Default: the shipped configs/workshop.yaml.")
  Path config;

  @Option(
      names = "--cache",
      description =
          "Reuse earlier results of identical temperature-0 calls (same provider, model, messages and max_tokens), across runs; the summary counts cache hits.")
  boolean cache;

  @Option(
      names = "--max-prompt-bytes",
      paramLabel = "N",
      defaultValue = "262144",
      description =
          "Refuse to start when a sample's prompt (all its messages, UTF-8) is larger (default ${DEFAULT-VALUE}).")
  int maxPromptBytes;

  private MoaConfig moaConfig;
  private MoaConfigSnapshot probe;

  @Override
  String kind() {
    return "eval";
  }

  @Override
  Path datasetFile() throws IOException {
    if (dataset != null) {
      return dataset;
    }
    // The bundled demo, copied next to the run so that a resume reads the very same bytes.
    Path dir = out != null ? out : Path.of("runs");
    Files.createDirectories(dir);
    Path copy = dir.resolve(out != null ? "demo.jsonl" : "demo-dataset.jsonl");
    try (InputStream in = EvalCommand.class.getResourceAsStream(DEMO_RESOURCE)) {
      if (in == null) {
        throw new UserError(UserError.FAILED, "the bundled demo dataset is missing from the jar");
      }
      byte[] bytes = in.readAllBytes();
      if (!Files.exists(copy) || !java.util.Arrays.equals(Files.readAllBytes(copy), bytes)) {
        Files.write(copy, bytes);
      }
    }
    return copy;
  }

  @Override
  RunManifest completeManifest(RunManifest b) {
    return b.withCommandFields(
        null, config == null ? null : config.toAbsolutePath().toString(), null, cache);
  }

  @Override
  void prepare(RunManifest manifest, List<Sample> samples) {
    moaConfig = Configs.load(manifest.config() == null ? null : Path.of(manifest.config()));
    checkSizes(samples, Path.of(manifest.dataset()), Configs.requestLimits(maxPromptBytes));
    cache = manifest.cache();
    // Fail fast on missing keys before anything starts.
    probe =
        RequestFactory.snapshot(
            moaConfig, Configs.resolveProviders(moaConfig, "http://127.0.0.1:0/v1"));
  }

  /** Nothing oversized reaches Kafka: the first sample over a limit stops the run (exit 2). */
  static void checkSizes(List<Sample> samples, Path dataset, RequestLimits limits) {
    for (Sample s : samples) {
      try {
        limits.check(s.messages());
      } catch (RequestLimits.RequestTooLargeException e) {
        throw new UserError(
            UserError.USAGE,
            dataset
                + ":"
                + s.line()
                + ": sample '"
                + s.id()
                + "': "
                + e.getMessage()
                + " (--max-prompt-bytes)");
      }
    }
  }

  @Override
  RunEngine.Submitter submitter(KafkaSettings settings, String simulatorUrl, String runId) {
    MoaConfigSnapshot snapshot =
        RequestFactory.snapshot(moaConfig, Configs.resolveProviders(moaConfig, simulatorUrl));
    boolean useCache = cache;
    return new TopicSubmitter<>(
        settings,
        "moa-eval-" + runId,
        Topics.REQUESTS.name(),
        Serdes.REQUEST.serializer(),
        "requests",
        s -> EvalRequests.request(snapshot, runId, useCache, s));
  }

  @Override
  String configName() {
    return moaConfig.name();
  }

  @Override
  String configHash() {
    return probe.getConfigHash();
  }

  @Override
  boolean simulated() {
    return RequestFactory.simulated(probe);
  }

  @Override
  Map<String, ModelPrice> prices() {
    return moaConfig.prices();
  }
}
