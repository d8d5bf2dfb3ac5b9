package dev.moa.cli;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.runtime.kafka.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that print their figures (ratios measured side by side in one run).",
    subcommands = {BenchCommand.CriticalPath.class})
final class BenchCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "critical-path",
      mixinStandardHelpOptions = true,
      description = {
        "Requests one after another through a fresh local stack; for each, end-to-end latency (as the client sees it) ÷ the critical path of its model calls (the slowest agent of each layer + the aggregator, as the workers timed them). 1.0 = the pipeline adds nothing; the sum of all calls ÷ critical path shows what running agents in parallel saves."
      })
  static final class CriticalPath implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(
        names = "--requests",
        defaultValue = "50",
        description = "measured requests (default ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--warmup", defaultValue = "5", description = "unmeasured requests first")
    int warmup;

    @Option(
        names = "--simulator-profile",
        defaultValue = "cerebras",
        description = "cerebras, gpu or instant")
    String profile;

    @Option(names = "--config", paramLabel = "FILE", description = "MoA config (default: workshop)")
    Path config;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (requests < 1) {
        throw new UserError(UserError.USAGE, "--requests: " + requests + " must be >= 1");
      }
      MoaConfig moaConfig = AskCommand.loadConfig(config);
      Path dir = Files.createTempDirectory("moa-bench");
      LocalStack.Status status = json ? LocalStack.Status.quiet() : LocalStack.Status.stderr();
      double[] ratios = new double[requests];
      double[] e2e = new double[requests];
      double[] critical = new double[requests];
      double[] serial = new double[requests];
      try (LocalStack stack = LocalStack.start(null, dir, 0, profile, status)) {
        var providers = AskCommand.resolveOrFail(moaConfig, stack.simulator().baseUrl());
        var snapshot = RequestFactory.snapshot(moaConfig, providers);
        KafkaSettings settings = KafkaSettings.local(stack.bootstrap());
        try (AnswerWatcher watcher = new AnswerWatcher(settings)) {
          for (int i = -warmup; i < requests; i++) {
            MoaRequest request =
                RequestFactory.question(
                    snapshot,
                    "Benchmark question number " + i + "?",
                    null,
                    System.currentTimeMillis(),
                    Map.of());
            long start = System.nanoTime();
            watcher.submit(request);
            FinalAnswer a = watcher.await(request.getRequestId(), Duration.ofMinutes(5), c -> {});
            double ms = (System.nanoTime() - start) / 1e6;
            if (a.getStatus() != AnswerStatus.SUCCEEDED) {
              throw new UserError(UserError.FAILED, "request failed: " + a.getError());
            }
            if (i < 0) {
              continue;
            }
            double path = a.getAggregator().getLatencyMs();
            double sum = a.getAggregator().getLatencyMs();
            for (List<AgentOutput> layer : a.getLayers()) {
              path += layer.stream().mapToLong(AgentOutput::getLatencyMs).max().orElse(0);
              sum += layer.stream().mapToLong(AgentOutput::getLatencyMs).sum();
            }
            e2e[i] = ms;
            critical[i] = path;
            serial[i] = sum;
            ratios[i] = ms / path;
          }
        }
      } finally {
        AskCommand.deleteQuietly(dir);
      }
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("requests", requests);
      figures.put("profile", profile);
      figures.put("layers", moaConfig.layers().size());
      figures.put("agents_per_layer", moaConfig.layers().get(0).agents().size());
      figures.put("e2e_ms_p50", pct(e2e, 50));
      figures.put("e2e_ms_p99", pct(e2e, 99));
      figures.put("critical_path_ms_p50", pct(critical, 50));
      figures.put("serial_sum_ms_p50", pct(serial, 50));
      figures.put("ratio_p50", pct(ratios, 50));
      figures.put("ratio_p95", pct(ratios, 95));
      figures.put("ratio_max", pct(ratios, 100));
      figures.put("serial_over_critical_p50", pct(serial, 50) / pct(critical, 50));
      double p50 = pct(ratios, 50);
      List<Map<String, Object>> targets =
          List.of(
              Map.of(
                  "name",
                  "e2e / critical path, p50",
                  "value",
                  p50,
                  "limit",
                  1.15,
                  "met",
                  p50 <= 1.15));
      if (json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "critical-path");
        out.put("figures", figures);
        out.put("targets", targets);
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
      } else {
        System.out.println("benchmark critical-path");
        figures.forEach(
            (k, v) ->
                System.out.printf(
                    "  %-26s %s%n", k, v instanceof Double d ? String.format("%.3f", d) : v));
        System.out.printf(
            "  target: e2e / critical path p50 <= 1.15: %.3f %s%n",
            p50, p50 <= 1.15 ? "met" : "MISSED");
      }
      return 0;
    }

    static double pct(double[] values, int p) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
  }
}
