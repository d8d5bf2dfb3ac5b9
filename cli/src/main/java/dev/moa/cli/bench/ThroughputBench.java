package dev.moa.cli.bench;

import dev.moa.cli.Configs;
import dev.moa.cli.Dirs;
import dev.moa.cli.UserError;
import dev.moa.cli.stack.LocalStack;
import dev.moa.localkafka.LocalBroker;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "throughput",
    mixinStandardHelpOptions = true,
    description = {
      "Model calls per second the pipeline sustains, beside what Kafka alone moves. A fresh local"
          + " stack (simulator profile instant: no model latency, so the pipeline itself is the"
          + " limit) runs the default config with a window of requests outstanding (a new one is"
          + " published as each answer arrives). After a warm-up, calls/s = simulator calls"
          + " completed during the measured window / its length. Every record the pipeline wrote"
          + " to Kafka in that window (all topics, Kafka Streams' own included) is then read back:"
          + " records per call and their mean size. Then, on the same broker, a plain producer and"
          + " consumer (the pipeline's producer settings) replay a sample of those very records"
          + " (the services stopped, so they have the broker to themselves) through a fresh topic with moa.agent-tasks' partition count: raw records/s,"
          + " produce -> consume. Target: calls/s >= 50%% of raw records/s.",
    })
final class ThroughputBench implements Callable<Integer> {

  static final double TARGET = 0.5;

  @Option(
      names = "--window",
      defaultValue = "32",
      description = "requests outstanding at once (default ${DEFAULT-VALUE})")
  int window;

  @Option(
      names = "--warmup",
      defaultValue = "15",
      description = "seconds of load before measuring (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(
      names = "--duration",
      defaultValue = "60",
      description = "measured seconds of pipeline load (default ${DEFAULT-VALUE})")
  int duration;

  @Option(
      names = "--raw-duration",
      defaultValue = "20",
      description =
          "measured seconds of the raw Kafka run, after 5 s warm-up (default ${DEFAULT-VALUE})")
  int rawDuration;

  @Option(
      names = "--simulator-profile",
      defaultValue = "instant",
      description = "cerebras, gpu or instant (default ${DEFAULT-VALUE})")
  String profile;

  @Option(names = "--config", paramLabel = "FILE", description = "MoA config (default: workshop)")
  Path config;

  @Mixin BenchOptions common = new BenchOptions();

  /** CPU time of this JVM and its children (the broker), in ms. */
  static long cpuMillis() {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(ProcessHandle.current()),
            ProcessHandle.current().descendants())
        .mapToLong(p -> p.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L))
        .sum();
  }

  @Override
  public Integer call() throws Exception {
    if (window < 1 || duration < 1 || rawDuration < 1 || warmup < 0) {
      throw new UserError(
          UserError.USAGE, "--window, --duration and --raw-duration must be >= 1, --warmup >= 0");
    }
    MoaConfig moaConfig = Configs.load(config);
    Path dir = Files.createTempDirectory("moa-bench");
    LocalStack.Status status = common.status();
    BenchReport r =
        new BenchReport(
            "throughput",
            "profile " + profile + ", " + window + " requests outstanding, " + duration + " s");
    LocalBroker broker = null;
    try {
      String kafka = common.bootstrap;
      if (kafka == null) {
        status.say("starting a local Kafka broker (KRaft)");
        broker = LocalBroker.start(0, dir.resolve("broker"), Duration.ofSeconds(120));
        kafka = broker.bootstrap();
      }
      KafkaSettings settings = KafkaSettings.local(kafka);
      KafkaRates.Written written;
      long calls;
      long answers;
      double seconds;
      long cpuMs;
      try (LocalStack stack = LocalStack.start(kafka, dir, 0, profile, status)) {
        var providers = Configs.resolveProviders(moaConfig, stack.simulator().baseUrl());
        MoaConfigSnapshot snapshot = RequestFactory.snapshot(moaConfig, providers);
        try (RequestLoad load = new RequestLoad(settings, snapshot, window)) {
          status.say("pipeline: " + warmup + " s warm-up, then " + duration + " s measured");
          load.runFor(Duration.ofSeconds(warmup));
          Map<TopicPartition, Long> before = KafkaRates.endOffsets(settings);
          long calls0 = stack.simulator().stats().completed();
          long cpu0 = cpuMillis();
          long answers0 = load.succeeded();
          long start = System.nanoTime();
          load.runFor(Duration.ofSeconds(duration));
          seconds = (System.nanoTime() - start) / 1e9;
          cpuMs = cpuMillis() - cpu0;
          calls = stack.simulator().stats().completed() - calls0;
          answers = load.succeeded() - answers0;
          Map<TopicPartition, Long> after = KafkaRates.endOffsets(settings);
          if (load.failed() > 0) {
            throw new UserError(
                UserError.FAILED,
                load.failed() + " requests failed under load (first: " + load.firstFailure() + ")");
          }
          status.say("reading back what the pipeline wrote to Kafka in the window");
          written = KafkaRates.written(settings, before, after, 20_000, Duration.ofSeconds(90));
        }
      }
      if (calls == 0 || written.sample().isEmpty()) {
        throw new UserError(UserError.FAILED, "no call completed in the measured window");
      }
      // The stack is closed by now: the raw run has the broker to itself, as the pipeline had.
      status.say("raw Kafka: replaying " + written.sample().size() + " of those records");
      long rawCpu0 = cpuMillis();
      KafkaRates.Raw raw =
          KafkaRates.raw(
              settings,
              written.sample(),
              Topics.AGENT_TASKS.partitions(),
              Duration.ofSeconds(5),
              Duration.ofSeconds(rawDuration));
      long rawCpuMs = cpuMillis() - rawCpu0;
      double callsPerSecond = calls / seconds;
      double pipelineRecordsPerSecond = written.records() / seconds;
      r.figure("window", window);
      r.figure("measured_s", seconds);
      r.figure("calls", calls);
      r.figure("calls_per_s", callsPerSecond);
      r.figure("requests_per_s", answers / seconds);
      r.figure("kafka_records_per_call", (double) written.records() / calls);
      r.figure("pipeline_kafka_records_per_s", pipelineRecordsPerSecond);
      r.figure("record_bytes_mean", written.meanBytes());
      r.figure("record_bytes_max", written.maxBytes());
      r.figure("raw_records_per_s", raw.recordsPerSecond());
      r.figure("raw_produced_per_s", raw.produced() / raw.seconds());
      r.figure("raw_mb_per_s", raw.megabytesPerSecond());
      r.figure("raw_partitions", Topics.AGENT_TASKS.partitions());
      r.figure("cpu_cores_used_pipeline", cpuMs / 1000.0 / seconds);
      r.figure("cpu_ms_per_call", (double) cpuMs / calls);
      r.figure("cpu_cores_used_raw", rawCpuMs / 1000.0 / (rawDuration + 5));
      r.figure("cpu_us_per_raw_record", rawCpuMs * 1000.0 / Math.max(1, raw.records()));
      r.figure(
          "pipeline_records_over_raw_records", pipelineRecordsPerSecond / raw.recordsPerSecond());
      r.figure("calls_over_raw_records", callsPerSecond / raw.recordsPerSecond());
      r.target(
          BenchReport.Target.atLeast(
              "calls/s / raw Kafka records/s", callsPerSecond / raw.recordsPerSecond(), TARGET));
      r.note(
          "calls/s: model calls the simulator completed; raw records/s: a plain producer ->"
              + " consumer on the same broker, replaying a sample of the records the pipeline wrote"
              + " (same sizes, same producer settings)");
      r.note(
          "cpu_*: CPU time of this JVM (simulator, services, client) and the broker (all processes"
              + " of the run); cores used < 2 means the machine was shared with other work");
      r.note(
          "kafka_records_per_call: data records the pipeline wrote to all topics (requests,"
              + " tasks, results, chunks, answers, grades, Kafka Streams changelogs) per call;"
              + " transaction markers and consumer offsets not counted");
    } finally {
      if (broker != null) {
        broker.close();
      }
      Dirs.deleteQuietly(dir);
    }
    r.print(common.json, System.out);
    return 0;
  }
}
