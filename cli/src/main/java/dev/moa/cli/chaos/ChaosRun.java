package dev.moa.cli.chaos;

import dev.moa.cli.stack.LocalStack;
import dev.moa.cli.stack.WorkerProcess;
import dev.moa.localkafka.LocalCluster;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradingSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import dev.moa.simulator.FaultRates;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One chaos run (see {@link ChaosCommand}): the cluster, the simulator, seven service processes,
 * the load in slices and one kill + restart between slices, then the count.
 *
 * <p>Retries by cause: every live agent worker and aggregator is scraped every {@value #SCRAPE_MS}
 * ms and once more just before it is killed; a process's last scrape counts for it, so a killed
 * process loses at most the retries of its last moments before the kill.
 */
public final class ChaosRun implements AutoCloseable {

  /** The victims, in kill order. */
  public static final List<String> KILLS =
      List.of("agent-worker", "orchestrator", "aggregator", "grader-worker", "broker");

  static final int AGENT_WORKERS = 3;
  static final int GRADER_WORKERS = 2;
  static final long SCRAPE_MS = 2000;

  /** Two layers of three agents and an aggregator: 7 calls a request, all on the simulator. */
  static final String CONFIG =
      """
      name: chaos
      layers: 2
      agents:
        - {name: a1, model: chaos-a, provider: simulator, temperature: 0.3, max_tokens: 48, prompt: "Think step by step. {helper_response}"}
        - {name: a2, model: chaos-b, provider: simulator, temperature: 0.7, max_tokens: 48, prompt: "Answer briefly. {helper_response}"}
        - {name: a3, model: chaos-c, provider: simulator, temperature: 0.1, max_tokens: 48, prompt: "Be logical. {helper_response}"}
      aggregator: {model: chaos-agg, provider: simulator, temperature: 0.1, max_tokens: 48, prompt: "Combine.\\n\\n{helper_response}"}
      min_successes: 1
      layer_timeout: 5m
      """;

  /** A cheap grader, no sandbox: any non-blank answer scores 1. */
  static final GradingSpec GRADING =
      GradingSpec.newBuilder().setType("regex").setOptionsJson("{\"pattern\": \"\\\\S\"}").build();

  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

  private final Path dir;
  private final int requests;
  private final FaultRates faults;
  private final long seed;
  private final Duration idleTimeout;
  private final int settleTimeoutSeconds;
  private final LocalStack.Status status;
  private final Random random;

  private LocalCluster cluster;
  private Simulator simulator;
  private KafkaSettings settings;
  private final Map<String, WorkerProcess> services = new ConcurrentHashMap<>();
  private final Map<Long, Map<String, Long>> retriesByPid = new ConcurrentHashMap<>();
  private ScheduledExecutorService scraper;
  private final ExecutorService chaos = Executors.newSingleThreadExecutor();
  private long t0;
  private double startup;

  ChaosRun(
      Path dir,
      int requests,
      FaultRates faults,
      long seed,
      Duration idleTimeout,
      int settleTimeoutSeconds,
      LocalStack.Status status) {
    this.dir = dir;
    this.requests = requests;
    this.faults = faults;
    this.seed = seed;
    this.idleTimeout = idleTimeout;
    this.settleTimeoutSeconds = settleTimeoutSeconds;
    this.status = status;
    this.random = new Random(seed);
  }

  ChaosReport run() throws Exception {
    t0 = System.nanoTime();
    say(t0, "starting a 3-node KRaft cluster in " + dir.resolve("cluster"));
    cluster = LocalCluster.start(3, dir.resolve("cluster"), START_TIMEOUT);
    settings = new KafkaSettings(cluster.bootstrap(), Map.of(), (short) cluster.size());
    TopicAdmin.ensureTopics(settings, 60_000);
    simulator =
        Simulator.start(
            SimulatorOptions.builder()
                .defaultProfile(Profile.CEREBRAS)
                .faults(faults)
                .seed(seed)
                .build());
    say(t0, "simulator on " + simulator.baseUrl() + " with faults " + faults.toSpec());
    say(t0, "starting 7 service processes");
    startServices();
    startup = (System.nanoTime() - t0) / 1e9;
    say(t0, "services up");
    scraper = Executors.newSingleThreadScheduledExecutor();
    scraper.scheduleWithFixedDelay(this::scrapeAll, 0, SCRAPE_MS, TimeUnit.MILLISECONDS);

    MoaConfigSnapshot snapshot = snapshot(simulator.baseUrl());
    Set<String> submitted = ConcurrentHashMap.newKeySet();
    Map<String, Integer> answers = new HashMap<>();
    Map<String, AnswerStatus> statuses = new HashMap<>();
    Map<String, String> errors = new HashMap<>();
    Map<String, Integer> grades = new HashMap<>();
    List<ChaosReport.Kill> kills = new ArrayList<>();
    long answerRecords = 0;
    long gradeRecords = 0;
    int phases = KILLS.size() + 1;
    try (KafkaProducer<String, MoaRequest> producer =
            new KafkaProducer<>(
                settings.producer("moa-chaos"),
                new org.apache.kafka.common.serialization.StringSerializer(),
                Serdes.REQUEST.serializer());
        KafkaConsumer<String, byte[]> answerConsumer = fromBeginning(Topics.ANSWERS.name(), 12);
        KafkaConsumer<String, byte[]> gradeConsumer = fromBeginning(Topics.GRADES.name(), 12)) {
      int phase = 0;
      submit(producer, snapshot, submitted, quota(0, phases));
      say(t0, "slice 1 of " + phases + ": " + submitted.size() + " requests submitted");
      Future<ChaosReport.Kill> killing = null;
      CompletableFuture<Void> killed = null;
      long lastProgress = System.nanoTime();
      while (true) {
        int newRecords = 0;
        for (ConsumerRecord<String, byte[]> r : answerConsumer.poll(Duration.ofMillis(100))) {
          FinalAnswer a = decode(r, Serdes.FINAL_ANSWER);
          if (a != null && submitted.contains(a.getRequestId())) {
            answers.merge(a.getRequestId(), 1, Integer::sum);
            statuses.put(a.getRequestId(), a.getStatus());
            if (a.getStatus() != AnswerStatus.SUCCEEDED) {
              errors.put(a.getRequestId(), reason(a.getError()));
            }
            answerRecords++;
            newRecords++;
          }
        }
        for (ConsumerRecord<String, byte[]> r : gradeConsumer.poll(Duration.ofMillis(100))) {
          Grade g = decode(r, Serdes.GRADE);
          if (g != null && submitted.contains(g.getRequestId())) {
            grades.merge(g.getRequestId(), 1, Integer::sum);
            gradeRecords++;
            newRecords++;
          }
        }
        if (newRecords > 0) {
          lastProgress = System.nanoTime();
        }
        // Kill k once half of slice k is answered (the other half in flight), the previous
        // victim being back up: one process down at a time.
        if (killing == null && phase < KILLS.size()) {
          int from = phase == 0 ? 0 : quota(phase - 1, phases);
          int threshold = quota(phase, phases) - (quota(phase, phases) - from) / 2;
          if (answers.size() >= threshold) {
            String target = KILLS.get(phase);
            long before = answers.size();
            CompletableFuture<Void> k = new CompletableFuture<>();
            killed = k;
            killing = chaos.submit(() -> killAndRestart(target, before, k));
          }
        }
        // The next slice goes out as soon as the victim is dead, while it restarts.
        if (killed != null && killed.isDone()) {
          killed = null;
          phase++;
          submit(producer, snapshot, submitted, quota(phase, phases));
          say(
              t0,
              KILLS.get(phase - 1)
                  + " killed; slice "
                  + (phase + 1)
                  + " of "
                  + phases
                  + ": "
                  + submitted.size()
                  + " requests submitted, "
                  + answers.size()
                  + " answered");
          lastProgress = System.nanoTime();
        }
        if (killing != null && killing.isDone()) {
          ChaosReport.Kill k = killing.get();
          kills.add(k);
          say(
              t0,
              String.format(
                  "killed %s (pid %d) after %d answers; restarted as pid %d in %.1f s",
                  k.target(), k.killedPid(), k.answersBefore(), k.restartedPid(), k.downSeconds()));
          killing = null;
          lastProgress = System.nanoTime();
        }
        boolean allIn =
            phase == KILLS.size()
                && killing == null
                && answers.keySet().containsAll(submitted)
                && grades.keySet().containsAll(answers.keySet());
        if (allIn) {
          break;
        }
        if (killing == null
            && System.nanoTime() - lastProgress > settleTimeoutSeconds * 1_000_000_000L) {
          say(
              t0,
              "no new answer or grade for "
                  + settleTimeoutSeconds
                  + " s: counting the missing ones as lost");
          break;
        }
      }
      // Late duplicates would show up now.
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < end) {
        for (ConsumerRecord<String, byte[]> r : answerConsumer.poll(Duration.ofMillis(200))) {
          FinalAnswer a = decode(r, Serdes.FINAL_ANSWER);
          if (a != null && submitted.contains(a.getRequestId())) {
            answers.merge(a.getRequestId(), 1, Integer::sum);
            answerRecords++;
          }
        }
      }
    }
    scraper.shutdownNow();
    scrapeAll();
    double wall = (System.nanoTime() - t0) / 1e9;
    long succeeded = statuses.values().stream().filter(s -> s == AnswerStatus.SUCCEEDED).count();
    long lost = submitted.stream().filter(id -> !answers.containsKey(id)).count();
    long duplicated = answers.values().stream().filter(n -> n > 1).count();
    return new ChaosReport(
        requests,
        submitted.size(),
        succeeded,
        statuses.size() - succeeded,
        answerRecords,
        errors.values().stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    e -> e, TreeMap::new, java.util.stream.Collectors.counting())),
        grades.size(),
        gradeRecords,
        lost,
        duplicated,
        simulator.stats().faultsInjected(),
        retriesTotal(),
        dltRecords(),
        kills,
        startup,
        wall,
        faults.toSpec(),
        seed);
  }

  /** A failed answer's error without ids and numbers, so that equal causes count together. */
  static String reason(String error) {
    if (error == null || error.isBlank()) {
      return "(no reason given)";
    }
    String r = error.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27,}", "ID").replaceAll("\\d+", "N");
    return r.length() > 160 ? r.substring(0, 160) + "..." : r;
  }

  /** Requests to have submitted once slice {@code phase} (0-based) is out. */
  private int quota(int phase, int phases) {
    return (int) ((long) requests * (phase + 1) / phases);
  }

  private void submit(
      KafkaProducer<String, MoaRequest> producer,
      MoaConfigSnapshot snapshot,
      Set<String> submitted,
      int upTo)
      throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = submitted.size(); i < upTo; i++) {
      MoaRequest r =
          MoaRequest.newBuilder(
                  RequestFactory.question(
                      snapshot,
                      "Chaos question " + i + ": what keeps a pipeline correct when it crashes?",
                      null,
                      System.currentTimeMillis(),
                      Map.of("chaos", "true")))
              .setGrading(GRADING)
              .build();
      ids.add(r.getRequestId());
      sent.add(producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), r.getRequestId(), r)));
    }
    producer.flush();
    for (int i = 0; i < sent.size(); i++) {
      sent.get(i).get(2, TimeUnit.MINUTES); // acks=all: in Kafka on at least 2 replicas
      submitted.add(ids.get(i));
    }
  }

  private void say(long t0, String line) {
    status.say(String.format("[%4.0f s] %s", (System.nanoTime() - t0) / 1e9, line));
  }

  private ChaosReport.Kill killAndRestart(
      String target, long answersBefore, CompletableFuture<Void> killed) {
    if (target.equals("broker")) {
      int node = 1 + random.nextInt(cluster.size());
      long pid = cluster.pid(node);
      long t = System.nanoTime();
      double at = (t - t0) / 1e9;
      cluster.kill(node);
      killed.complete(null);
      WorkerProcess.sleep(3000);
      cluster.restart(node, START_TIMEOUT);
      return new ChaosReport.Kill(
          "broker-" + node,
          pid,
          cluster.pid(node),
          answersBefore,
          at,
          (System.nanoTime() - t) / 1e9);
    }
    int count =
        switch (target) {
          case "agent-worker" -> AGENT_WORKERS;
          case "grader-worker" -> GRADER_WORKERS;
          default -> 1;
        };
    String name = count == 1 ? target : target + "-" + (1 + random.nextInt(count));
    WorkerProcess victim = services.get(name);
    scrape(victim);
    long pid = victim.pid();
    long t = System.nanoTime();
    double at = (t - t0) / 1e9;
    victim.kill();
    killed.complete(null);
    WorkerProcess restarted = startService(name, target);
    services.put(name, restarted);
    return new ChaosReport.Kill(
        name, pid, restarted.pid(), answersBefore, at, (System.nanoTime() - t) / 1e9);
  }

  private void startServices() throws InterruptedException {
    List<String[]> all = new ArrayList<>();
    all.add(new String[] {"orchestrator", "orchestrator"});
    for (int i = 1; i <= AGENT_WORKERS; i++) {
      all.add(new String[] {"agent-worker-" + i, "agent-worker"});
    }
    all.add(new String[] {"aggregator", "aggregator"});
    for (int i = 1; i <= GRADER_WORKERS; i++) {
      all.add(new String[] {"grader-worker-" + i, "grader-worker"});
    }
    List<Thread> starting = new ArrayList<>();
    List<RuntimeException> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (String[] s : all) {
      Thread t =
          new Thread(
              () -> {
                try {
                  services.put(s[0], startService(s[0], s[1]));
                } catch (RuntimeException e) {
                  errors.add(e);
                }
              });
      t.start();
      starting.add(t);
    }
    for (Thread t : starting) {
      t.join();
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
  }

  private WorkerProcess startService(String name, String service) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("moa.kafka.replication-factor", Integer.toString(cluster.size()));
    props.put("moa.agent-worker.idle-timeout", idleTimeout.toMillis() + "ms");
    props.put("moa.aggregator.idle-timeout", idleTimeout.toMillis() + "ms");
    // A restarted aggregator with the same id fences its killed predecessor's open transaction
    // at once, instead of read_committed consumers waiting for the transaction timeout.
    props.put("moa.aggregator.instance-id", "chaos-" + name);
    props.put("moa.grader-worker.judge.base-url", simulator.baseUrl());
    props.put("moa.grader-worker.judge.model", "chaos-judge");
    List<String> args = new ArrayList<>();
    if (service.equals("orchestrator")) {
      args.addAll(
          List.of(
              "--simulator-url",
              simulator.baseUrl(),
              "--state-dir",
              dir.resolve("orchestrator-state").toString()));
    }
    List<String> jvm = new ArrayList<>(List.of("-Xmx384m"));
    jvm.addAll(WorkerProcess.DEFAULT_JVM_OPTIONS);
    return WorkerProcess.start(
        service,
        cluster.bootstrap(),
        jvm,
        props,
        args,
        dir.resolve("logs").resolve(name + ".log"),
        START_TIMEOUT);
  }

  static MoaConfigSnapshot snapshot(String simulatorUrl) {
    try {
      MoaConfig config = ConfigLoader.parse(CONFIG, "chaos.yaml");
      return RequestFactory.snapshot(
          config, ProviderResolver.resolve(config, name -> null, simulatorUrl));
    } catch (dev.moa.protocol.config.ConfigException e) {
      throw new IllegalStateException("the chaos config does not resolve: " + e, e);
    }
  }

  private KafkaConsumer<String, byte[]> fromBeginning(String topic, int partitions) {
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            settings.consumer(null, true),
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      parts.add(new TopicPartition(topic, p));
    }
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }

  private static <V extends org.apache.avro.specific.SpecificRecord> V decode(
      ConsumerRecord<String, byte[]> r, dev.moa.protocol.serde.AvroSerde<V> serde) {
    try {
      return serde.fromBytes(r.value());
    } catch (RuntimeException e) {
      return null; // not ours to count (a poison record would be in the DLT count)
    }
  }

  private void scrapeAll() {
    services.values().forEach(this::scrape);
  }

  private void scrape(WorkerProcess p) {
    String service = p.service();
    if (!service.equals("agent-worker") && !service.equals("aggregator")) {
      return;
    }
    try {
      retriesByPid.put(p.pid(), ChaosReport.retriesByCause(p.prometheus()));
    } catch (Exception e) {
      // Down or restarting: its last scrape stands.
    }
  }

  private Map<String, Long> retriesTotal() {
    Map<String, Long> total = new TreeMap<>();
    retriesByPid.values().forEach(m -> m.forEach((k, v) -> total.merge(k, v, Long::sum)));
    return total;
  }

  private Map<String, Long> dltRecords() throws Exception {
    Map<String, Long> out = new TreeMap<>();
    try (Admin admin = Admin.create(settings.common());
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer(null, false))) {
      for (String topic : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
        if (!topic.endsWith("-dlt")) {
          continue;
        }
        List<TopicPartition> parts =
            c.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        Map<TopicPartition, Long> begin = c.beginningOffsets(parts);
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        out.put(topic, parts.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum());
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (scraper != null) {
      scraper.shutdownNow();
    }
    chaos.shutdownNow();
    List<Thread> stopping = new ArrayList<>();
    for (WorkerProcess p : services.values()) {
      Thread t = new Thread(p::close);
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (simulator != null) {
      simulator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }
}
