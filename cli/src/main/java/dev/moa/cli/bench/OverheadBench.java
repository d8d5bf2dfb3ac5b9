package dev.moa.cli.bench;

import dev.moa.cli.AnswerWatcher;
import dev.moa.cli.Configs;
import dev.moa.cli.Dirs;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.prompt.PromptAssembler;
import dev.moa.protocol.request.AgentOutputs;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.request.TaskFactory;
import dev.moa.provider.ProviderClient;
import dev.moa.provider.ProviderClientOptions;
import dev.moa.provider.StreamListener;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.model.ModelCallMetrics;
import dev.moa.runtime.model.ModelTaskExecutor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "overhead",
    aliases = "critical-path",
    mixinStandardHelpOptions = true,
    description = {
      "What the pipeline adds to the model calls. A fresh local stack (simulator profile cerebras"
          + " by default) runs the default config (3 layers x 3 agents + aggregator); requests go"
          + " one after another after a warm-up. For each: end-to-end latency as the client sees"
          + " it (publish the request -> read the committed final answer) / the request's critical"
          + " path (the slowest agent of each layer + the aggregator, as the calls timed"
          + " themselves). Beside it, the same requests through an in-process executor (the same"
          + " provider client and ModelTaskExecutor, the same prompts from TaskFactory, no Kafka)"
          + " as the baseline, measured the same way; each request runs through both, one after"
          + " the other. Targets: pipeline p50 <= 1.03, p99 <= 1.10. 'critical-path' is the old"
          + " name of this benchmark.",
    })
final class OverheadBench implements Callable<Integer> {

  static final double TARGET_P50 = 1.03;
  static final double TARGET_P99 = 1.10;

  @Option(
      names = "--requests",
      defaultValue = "200",
      description = "measured requests (default ${DEFAULT-VALUE})")
  int requests;

  @Option(
      names = "--warmup",
      defaultValue = "10",
      description = "unmeasured requests first (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(
      names = "--simulator-profile",
      defaultValue = "cerebras",
      description = "cerebras, gpu or instant (default ${DEFAULT-VALUE})")
  String profile;

  @Option(names = "--config", paramLabel = "FILE", description = "MoA config (default: workshop)")
  Path config;

  @Option(
      names = "--no-baseline",
      description = "skip the in-process baseline (pipeline only, as 'critical-path' was)")
  boolean noBaseline;

  @Mixin BenchOptions common = new BenchOptions();

  /** One request's timing: end to end, critical path, and the sum of all its calls (ms). */
  record Timing(double e2eMs, double criticalMs, double serialMs) {
    double ratio() {
      return e2eMs / criticalMs;
    }

    /** The critical path and serial sum of a finished request, from its calls' own timings. */
    static Timing of(double e2eMs, List<List<AgentOutput>> layers, long aggregatorMs) {
      double path = aggregatorMs;
      double sum = aggregatorMs;
      for (List<AgentOutput> layer : layers) {
        path += layer.stream().mapToLong(AgentOutput::getLatencyMs).max().orElse(0);
        sum += layer.stream().mapToLong(AgentOutput::getLatencyMs).sum();
      }
      return new Timing(e2eMs, path, sum);
    }
  }

  @Override
  public Integer call() throws Exception {
    if (requests < 1) {
      throw new UserError(UserError.USAGE, "--requests: " + requests + " must be >= 1");
    }
    if (warmup < 0) {
      throw new UserError(UserError.USAGE, "--warmup: " + warmup + " must be >= 0");
    }
    MoaConfig moaConfig = Configs.load(config);
    Path dir = Files.createTempDirectory("moa-bench");
    LocalStack.Status status = common.status();
    Timing[] pipeline = new Timing[requests];
    Timing[] baseline = new Timing[requests];
    List<HopBreakdown.Sent> sent = new java.util.ArrayList<>();
    Map<String, double[]> hops;
    double[][] rawHops;
    try (LocalStack stack = LocalStack.start(common.bootstrap, dir, 0, profile, status);
        ProviderClient client = new ProviderClient(ProviderClientOptions.defaults())) {
      var providers = Configs.resolveProviders(moaConfig, stack.simulator().baseUrl());
      MoaConfigSnapshot snapshot = RequestFactory.snapshot(moaConfig, providers);
      ModelTaskExecutor executor =
          new ModelTaskExecutor(
              client::chat,
              new ModelCallMetrics(new SimpleMeterRegistry()),
              Clock.systemUTC(),
              System::getenv);
      status.say(
          warmup
              + " + "
              + requests
              + " requests, one after another"
              + (noBaseline ? "" : ", each through the pipeline and then in process"));
      KafkaSettings settings = KafkaSettings.local(stack.bootstrap());
      Map<TopicPartition, Long> before = null;
      try (AnswerWatcher watcher = new AnswerWatcher(settings)) {
        for (int i = -warmup; i < requests; i++) {
          if (i == 0) {
            before = KafkaRates.endOffsets(settings);
          }
          String question = "Benchmark question number " + i + "?";
          Timing p = throughPipeline(watcher, snapshot, question, i >= 0 ? sent : null);
          Timing b = noBaseline ? null : inProcess(executor, snapshot, question);
          if (i >= 0) {
            pipeline[i] = p;
            baseline[i] = b;
          }
        }
      }
      hops =
          HopBreakdown.measure(
              settings, before, KafkaRates.endOffsets(settings), sent, Duration.ofMinutes(2));
      status.say("raw hand-over latency of this broker (200 records each way)");
      rawHops =
          new double[][] {
            KafkaRates.hopLatencies(settings, 200, Map.of(), false),
            KafkaRates.hopLatencies(settings, 200, Map.of("linger.ms", 5), false),
            KafkaRates.hopLatencies(settings, 200, Map.of(), true)
          };
    } finally {
      Dirs.deleteQuietly(dir);
    }
    BenchReport r = report(moaConfig, pipeline, noBaseline ? null : baseline);
    addHops(r, hops);
    addKafkaFloor(r, moaConfig.layers().size(), critical(pipeline), rawHops);
    r.print(common.json, System.out);
    return 0;
  }

  /** One request through the pipeline; when {@code sent} is given, its epoch times are added. */
  private static Timing throughPipeline(
      AnswerWatcher watcher,
      MoaConfigSnapshot snapshot,
      String question,
      List<HopBreakdown.Sent> sent) {
    long submitted = System.currentTimeMillis();
    MoaRequest request = RequestFactory.question(snapshot, question, null, submitted, Map.of());
    long start = System.nanoTime();
    watcher.submit(request);
    FinalAnswer a = watcher.await(request.getRequestId(), Duration.ofMinutes(5), c -> {});
    double ms = (System.nanoTime() - start) / 1e6;
    if (sent != null) {
      sent.add(
          new HopBreakdown.Sent(request.getRequestId(), submitted, System.currentTimeMillis()));
    }
    if (a.getStatus() != AnswerStatus.SUCCEEDED) {
      throw new UserError(UserError.FAILED, "request failed: " + a.getError());
    }
    return Timing.of(ms, a.getLayers(), a.getAggregator().getLatencyMs());
  }

  /**
   * The same request without Kafka: each layer's tasks (built by TaskFactory, as the barrier builds
   * them) run at once on the executor, the next layer starts when all are done, then the
   * aggregator.
   */
  static Timing inProcess(ModelTaskExecutor executor, MoaConfigSnapshot snapshot, String question) {
    MoaRequest request =
        RequestFactory.question(snapshot, question, null, System.currentTimeMillis(), Map.of());
    long start = System.nanoTime();
    List<List<AgentOutput>> layers = new java.util.ArrayList<>();
    String helper = "";
    for (int layer = 1; layer <= snapshot.getLayers().size(); layer++) {
      List<CompletableFuture<AgentResult>> calls =
          TaskFactory.layerTasks(request, layer, helper, System.currentTimeMillis()).stream()
              .map(t -> executor.execute(t, StreamListener.none()))
              .toList();
      List<AgentOutput> outputs =
          calls.stream().map(CompletableFuture::join).map(AgentOutputs::from).toList();
      List<String> references =
          outputs.stream()
              .filter(o -> o.getStatus() == CallStatus.SUCCEEDED)
              .map(AgentOutput::getContent)
              .toList();
      if (references.size() < outputs.size()) {
        throw new UserError(UserError.FAILED, "an in-process call failed: " + outputs);
      }
      layers.add(outputs);
      helper = PromptAssembler.helperResponse(snapshot.getReferencePrompt(), references, 0);
    }
    AgentTask aggregate = TaskFactory.aggregatorTask(request, helper, System.currentTimeMillis());
    AgentOutput answer =
        AgentOutputs.from(executor.execute(aggregate, StreamListener.none()).join());
    if (answer.getStatus() != CallStatus.SUCCEEDED) {
      throw new UserError(UserError.FAILED, "the in-process aggregator failed: " + answer);
    }
    return Timing.of((System.nanoTime() - start) / 1e6, layers, answer.getLatencyMs());
  }

  static BenchReport report(MoaConfig moaConfig, Timing[] pipeline, Timing[] baseline) {
    BenchReport r =
        new BenchReport(
            "overhead",
            moaConfig.layers().size()
                + " layers x "
                + moaConfig.layers().get(0).agents().size()
                + " agents + aggregator, "
                + pipeline.length
                + " requests one after another");
    r.figure("requests", pipeline.length);
    addFigures(r, "pipeline", pipeline);
    double[] pr = ratios(pipeline);
    r.figure("pipeline_ratio_p95", BenchStats.percentile(pr, 95));
    r.figure("pipeline_ratio_max", BenchStats.percentile(pr, 100));
    double[] overhead = new double[pipeline.length];
    for (int i = 0; i < pipeline.length; i++) {
      overhead[i] = pipeline[i].e2eMs() - pipeline[i].criticalMs();
    }
    r.figure("pipeline_overhead_ms_p50", BenchStats.percentile(overhead, 50));
    r.figure("pipeline_overhead_ms_p99", BenchStats.percentile(overhead, 99));
    r.figure(
        "serial_sum_over_critical_path_p50",
        BenchStats.percentile(serial(pipeline), 50)
            / BenchStats.percentile(critical(pipeline), 50));
    if (baseline != null) {
      addFigures(r, "baseline", baseline);
      double[] pe = new double[pipeline.length];
      double[] be = new double[pipeline.length];
      for (int i = 0; i < pipeline.length; i++) {
        pe[i] = pipeline[i].e2eMs();
        be[i] = baseline[i].e2eMs();
      }
      r.figure(
          "pipeline_e2e_over_baseline_e2e_p50",
          BenchStats.percentile(BenchStats.ratios(pe, be), 50));
      r.note(
          "baseline: the same requests in process (same provider client, executor and prompts, no"
              + " Kafka); its ratio is what remains without the pipeline (HTTP, JSON, futures)");
    }
    r.note("ratio = end-to-end / critical path (slowest agent of each layer + aggregator)");
    r.target(
        BenchReport.Target.atMost(
            "pipeline e2e / critical path, p50", BenchStats.percentile(pr, 50), TARGET_P50));
    r.target(
        BenchReport.Target.atMost(
            "pipeline e2e / critical path, p99", BenchStats.percentile(pr, 99), TARGET_P99));
    return r;
  }

  /**
   * The overhead by hand-over (see {@link HopBreakdown}): p50 and p99 of each segment, and which
   * segment holds the most of it at p50.
   */
  static void addHops(BenchReport r, Map<String, double[]> hops) {
    String biggest = null;
    double most = Double.NEGATIVE_INFINITY;
    double total = 0;
    for (Map.Entry<String, double[]> e : hops.entrySet()) {
      double p50 = BenchStats.percentile(e.getValue(), 50);
      r.figure("hop_" + e.getKey() + "_ms_p50", p50);
      r.figure("hop_" + e.getKey() + "_ms_p99", BenchStats.percentile(e.getValue(), 99));
      total += p50;
      if (p50 > most) {
        most = p50;
        biggest = e.getKey();
      }
    }
    if (biggest != null) {
      r.note(
          String.format(
              java.util.Locale.ROOT,
              "overhead by hand-over (record timestamps): the p50s add up to %.1f ms; the"
                  + " largest is %s, %.1f ms",
              total,
              biggest,
              most));
    }
  }

  /**
   * The Kafka floor: a request crosses {@code 2 * layers + 1} plain hand-overs (request, then each
   * layer's tasks and results) and 2 transactional ones (the aggregate task after the barrier's
   * commit, the answer after the aggregator's); at this broker's raw hop latencies, measured in the
   * same run, that is the least any design with these hand-overs adds to the critical path.
   */
  static void addKafkaFloor(BenchReport r, int layers, double[] critical, double[][] raw) {
    double plain = BenchStats.percentile(raw[0], 50);
    double txn = BenchStats.percentile(raw[2], 50);
    r.figure("raw_hop_ms_p50", plain);
    r.figure("raw_hop_ms_p99", BenchStats.percentile(raw[0], 99));
    r.figure("raw_hop_linger5_ms_p50", BenchStats.percentile(raw[1], 50));
    r.figure("raw_transactional_hop_ms_p50", txn);
    int plainHops = 2 * layers + 1;
    double floor = plainHops * plain + 2 * txn;
    double path = BenchStats.percentile(critical, 50);
    r.figure("kafka_floor_ms", floor);
    r.figure("kafka_floor_ratio_p50", (path + floor) / path);
    r.note(
        String.format(
            java.util.Locale.ROOT,
            "Kafka floor: %d plain hand-overs x %.1f ms + 2 transactional x %.1f ms = %.1f ms on"
                + " a %.0f ms critical path, i.e. ratio %.3f with no other cost",
            plainHops,
            plain,
            txn,
            floor,
            path,
            (path + floor) / path));
  }

  private static void addFigures(BenchReport r, String prefix, Timing[] t) {
    double[] e2e = java.util.Arrays.stream(t).mapToDouble(Timing::e2eMs).toArray();
    double[] ratios = ratios(t);
    r.figure(prefix + "_e2e_ms_p50", BenchStats.percentile(e2e, 50));
    r.figure(prefix + "_e2e_ms_p99", BenchStats.percentile(e2e, 99));
    r.figure(prefix + "_critical_path_ms_p50", BenchStats.percentile(critical(t), 50));
    r.figure(prefix + "_ratio_p50", BenchStats.percentile(ratios, 50));
    r.figure(prefix + "_ratio_p99", BenchStats.percentile(ratios, 99));
  }

  private static double[] ratios(Timing[] t) {
    return java.util.Arrays.stream(t).mapToDouble(Timing::ratio).toArray();
  }

  private static double[] critical(Timing[] t) {
    return java.util.Arrays.stream(t).mapToDouble(Timing::criticalMs).toArray();
  }

  private static double[] serial(Timing[] t) {
    return java.util.Arrays.stream(t).mapToDouble(Timing::serialMs).toArray();
  }
}
