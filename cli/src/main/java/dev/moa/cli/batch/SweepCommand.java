package dev.moa.cli.batch;

import dev.moa.batch.EvalRequests;
import dev.moa.batch.RunEngine;
import dev.moa.batch.RunManifest;
import dev.moa.batch.TopicSubmitter;
import dev.moa.cli.Configs;
import dev.moa.cli.UserError;
import dev.moa.eval.Dataset;
import dev.moa.eval.ReportWriter;
import dev.moa.eval.ResultLine;
import dev.moa.eval.RunInfo;
import dev.moa.eval.Sample;
import dev.moa.eval.sweep.Configuration;
import dev.moa.eval.sweep.SpaceExpander;
import dev.moa.eval.sweep.SpaceParser;
import dev.moa.eval.sweep.SweepReportWriter;
import dev.moa.eval.sweep.SweepSpace;
import dev.moa.eval.sweep.SweepSummary;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ModelPrice;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = {
      "Run many MoA configurations over one dataset as one batch through the pipeline, grade every answer, and report score vs tokens vs latency per configuration with the Pareto front: report.html (a table and charts), sweep.json, and per configuration its config.yaml, summary.json and report.html; results.jsonl is the journal of every sample (ids CONFIG/SAMPLE).",
      "",
      "The space file (YAML) varies a base config:",
      "  name: demo-sweep          # default: the file's base name",
      "  base: ../workshop.yaml    # relative to the space file; default: shipped",
      "  strategy: grid            # every combination (at most 1000), or random",
      "  count: 8                  # random only: distinct combinations to draw",
      "  seed: 42                  # random only (default 0): same seed, same set",
      "  dimensions:               # each a list, or a mapping label: value",
      "    layers: [1, 2]          # adding layers repeats the base's last one",
      "    agents: [2, 3]          # per layer; adding cycles the base's agents",
      "    model: [m1, [m2, m3]]   # every agent's; a list cycles over agents",
      "    temperature: [0.1, 0.7] # every agent's, 0..2",
      "    max_tokens: [512, 2048]",
      "    prompt: {terse: \"Be brief. {helper_response}\", plain: \"Answer.\"}",
      "    aggregator_model, aggregator_temperature, aggregator_max_tokens and",
      "    aggregator_prompt set the aggregator's values.",
      "",
      "Configurations are c01, c02, ... in grid order; each is validated as a config, and an error names the space file, the field path (or the configuration and its choices) and the bad value.",
      "",
      "Score is the mean fraction of points per sample (a failed sample counts 0); tokens are all calls' tokens per sample; latency is the end-to-end p50. A configuration is on the front when no other has a score at least as high with at most as many tokens and at most the latency, and is better in one of them.",
      "",
      "An interrupted sweep carries on with --resume DIR (its configurations are read back from DIR); 'moa cancel RUN_ID' stops one. Exit code 0 when it completed, 1 when cancelled, 2 on bad input, 3 when Kafka cannot be reached."
    })
public final class SweepCommand extends BatchCommand {

  static final String CONFIGURATIONS = "configurations.json";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Option(
      names = "--dataset",
      paramLabel = "FILE",
      description = "JSONL dataset, e.g. datasets/demo.jsonl (--limit N runs its first N samples).")
  Path dataset;

  @Option(
      names = "--space",
      paramLabel = "SPACE.yaml",
      description = "The space of configurations (see above), e.g. configs/sweeps/demo-space.yaml.")
  Path space;

  @Option(
      names = "--cache",
      description =
          "Reuse earlier results of identical temperature-0 calls across configurations and runs.")
  boolean cache;

  @Option(
      names = "--max-prompt-bytes",
      paramLabel = "N",
      defaultValue = "262144",
      description =
          "Refuse to start when a sample's prompt (all its messages, UTF-8) is larger (default ${DEFAULT-VALUE}).")
  int maxPromptBytes;

  private String sweepName;
  private String strategy;
  private Long seed;
  private List<Configuration> configurations;
  private final Map<String, MoaConfigSnapshot> probes = new LinkedHashMap<>();

  @Override
  String kind() {
    return "sweep";
  }

  @Override
  Path datasetFile() {
    if (dataset == null) {
      throw new UserError(UserError.USAGE, "--dataset FILE is required (e.g. datasets/demo.jsonl)");
    }
    if (space == null) {
      throw new UserError(
          UserError.USAGE, "--space FILE is required (e.g. configs/sweeps/demo-space.yaml)");
    }
    return dataset;
  }

  @Override
  RunManifest completeManifest(RunManifest b) {
    return b.withCommandFields(null, space.toAbsolutePath().toString(), null, cache);
  }

  @Override
  void prepare(RunManifest manifest, List<Sample> samples) throws IOException {
    cache = manifest.cache();
    if (Files.exists(runDir.resolve(RunManifest.FILE))) {
      readConfigurations(runDir);
    } else {
      expand(Path.of(manifest.config()));
      writeConfigurations(runDir, manifest.config());
    }
    EvalCommand.checkSizes(
        samples, Path.of(manifest.dataset()), Configs.requestLimits(maxPromptBytes));
    // Fail fast on missing keys of any configuration before anything starts.
    for (Configuration c : configurations) {
      probes.put(
          c.id(),
          RequestFactory.snapshot(
              c.config(), Configs.resolveProviders(c.config(), "http://127.0.0.1:0/v1")));
    }
  }

  private void expand(Path spaceFile) throws IOException {
    String text;
    try {
      text = Files.readString(spaceFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UserError(UserError.USAGE, "--space: no such file: " + spaceFile);
    }
    try {
      SweepSpace parsed = SpaceParser.parse(text, spaceFile.toString());
      MoaConfig base;
      if (parsed.base() == null) {
        base = ConfigLoader.defaultConfig();
      } else {
        Path dir = spaceFile.toAbsolutePath().getParent();
        base = ConfigLoader.load(dir.resolve(parsed.base()).normalize());
      }
      configurations = SpaceExpander.expand(parsed, base, spaceFile.toString());
      sweepName = parsed.name();
      strategy = parsed.strategy().name().toLowerCase(java.util.Locale.ROOT);
      seed = parsed.strategy() == SweepSpace.Strategy.RANDOM ? parsed.seed() : null;
    } catch (ConfigException e) {
      throw new UserError(UserError.USAGE, e.getMessage().replace("\n", "; "));
    }
  }

  /** The journal of what was decided: a resume runs exactly these configurations. */
  private void writeConfigurations(Path dir, String spaceFile) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("sweep", sweepName);
    root.put("space", spaceFile);
    root.put("strategy", strategy);
    if (seed != null) {
      root.put("seed", seed);
    }
    ArrayNode list = root.putArray("configurations");
    for (Configuration c : configurations) {
      ObjectNode o = list.addObject();
      o.put("id", c.id());
      ObjectNode ch = o.putObject("choices");
      c.choices().forEach(ch::put);
      Files.createDirectories(dir.resolve(c.id()));
      Files.writeString(dir.resolve(c.id()).resolve("config.yaml"), c.yaml());
    }
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve(CONFIGURATIONS),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  private void readConfigurations(Path dir) throws IOException {
    Path index = dir.resolve(CONFIGURATIONS);
    if (!Files.isRegularFile(index)) {
      throw new UserError(
          UserError.USAGE, "--resume: " + index + " is missing; this is not a sweep directory");
    }
    JsonNode root = JSON.readTree(Files.readString(index));
    sweepName = root.path("sweep").asString();
    strategy = root.path("strategy").asString();
    seed = root.hasNonNull("seed") ? root.get("seed").asLong() : null;
    configurations = new ArrayList<>();
    for (JsonNode o : root.path("configurations")) {
      String id = o.path("id").asString();
      Path file = dir.resolve(id).resolve("config.yaml");
      Map<String, String> choices = new LinkedHashMap<>();
      o.path("choices").properties().forEach(e -> choices.put(e.getKey(), e.getValue().asString()));
      try {
        configurations.add(
            new Configuration(id, choices, ConfigLoader.load(file), Files.readString(file)));
      } catch (ConfigException e) {
        throw new UserError(UserError.USAGE, "--resume: " + e.getMessage().replace("\n", "; "));
      }
    }
  }

  /** Every sample under every configuration, sample by sample, so all see the same load. */
  @Override
  List<Sample> runnable(List<Sample> samples) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      for (Configuration c : configurations) {
        out.add(
            new Sample(
                c.id() + "/" + s.id(),
                s.line(),
                s.messages(),
                s.targetJson(),
                s.grader(),
                s.metadataJson()));
      }
    }
    return out;
  }

  @Override
  RunEngine.Submitter submitter(KafkaSettings settings, String simulatorUrl, String runId) {
    Map<String, MoaConfigSnapshot> snapshots = new LinkedHashMap<>();
    for (Configuration c : configurations) {
      snapshots.put(
          c.id(),
          RequestFactory.snapshot(c.config(), Configs.resolveProviders(c.config(), simulatorUrl)));
    }
    boolean useCache = cache;
    return new TopicSubmitter<MoaRequest>(
        settings,
        "moa-sweep-" + runId,
        Topics.REQUESTS.name(),
        Serdes.REQUEST.serializer(),
        "requests",
        s ->
            EvalRequests.request(
                snapshots.get(SweepSummary.configurationOf(s.id())), runId, useCache, s));
  }

  @Override
  String configName() {
    return sweepName;
  }

  @Override
  String configHash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Configuration c : configurations) {
        md.update(c.yaml().getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  boolean simulated() {
    return probes.values().stream().anyMatch(RequestFactory::simulated);
  }

  @Override
  Map<String, ModelPrice> prices() {
    Map<String, ModelPrice> out = new LinkedHashMap<>();
    configurations.forEach(c -> out.putAll(c.config().prices()));
    return out;
  }

  @Override
  void writeOutputs(Path dir, RunInfo info, List<ResultLine> lines, Dataset dataset)
      throws IOException {
    SweepSummary sweep =
        SweepSummary.of(
            new SweepSummary.Info(
                sweepName,
                info.runId(),
                info.dataset(),
                strategy,
                seed,
                info.status(),
                info.startedAtMs(),
                info.finishedAtMs(),
                info.totalSamples(),
                dataset.badLines()),
            configurations,
            lines);
    for (Configuration c : configurations) {
      Path d = dir.resolve(c.id());
      Files.createDirectories(d);
      Files.writeString(d.resolve("summary.json"), sweep.summary(c.id()).toJson());
      ReportWriter.write(
          d.resolve("report.html"), sweep.summary(c.id()), sweep.lines(c.id()), dataset.badLines());
    }
    Files.writeString(dir.resolve("sweep.json"), sweep.toJson());
    SweepReportWriter.write(dir.resolve("report.html"), sweep);
    System.out.print(sweep.table());
    System.out.println(
        "pareto front: "
            + String.join(", ", sweep.front())
            + " ("
            + sweep.front().size()
            + " of "
            + configurations.size()
            + " configurations)");
    System.out.println("results: " + dir.resolve("results.jsonl"));
    System.out.println("sweep:   " + dir.resolve("sweep.json"));
    System.out.println("report:  " + dir.resolve("report.html"));
  }
}
