package dev.moa.cli.bench;

import dev.moa.cli.stack.LocalStack;
import dev.moa.cli.stack.WorkerProcess;
import dev.moa.localkafka.LocalBroker;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.request.TaskFactory;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.kafka.TopicAdmin;
import dev.moa.simulator.Profile;
import dev.moa.simulator.Simulator;
import dev.moa.simulator.SimulatorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Agent tasks published straight to {@code moa.agent-tasks} (no orchestrator), for benchmarks of
 * agent workers alone: a broker (unless one is given), a simulator whose every call takes a fixed
 * time, a publisher thread and a counter of results.
 */
final class TaskLoad implements AutoCloseable {

  private final LocalBroker broker;
  private final String bootstrap;
  private final Simulator simulator;
  private final KafkaSettings settings;
  private final MoaConfigSnapshot snapshot;
  private final int maxTokens;
  private final KafkaProducer<String, AgentTask> producer;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong published = new AtomicLong();
  private final ResultCounter counter;
  private final List<Thread> threads = new ArrayList<>();
  private long requestCounter;

  /**
   * @param latency every simulated call takes this long (time to first token; decoding is instant)
   */
  TaskLoad(String bootstrap, Path dir, Duration latency, int maxTokens, LocalStack.Status status) {
    LocalBroker b = null;
    Simulator s = null;
    try {
      if (bootstrap == null) {
        status.say("starting a local Kafka broker");
        b = LocalBroker.start(0, dir.resolve("broker"), Duration.ofSeconds(120));
        bootstrap = b.bootstrap();
      }
      settings = KafkaSettings.local(bootstrap);
      TopicAdmin.ensureTopics(settings, 30_000);
      s =
          Simulator.start(
              SimulatorOptions.builder()
                  .defaultProfile(
                      new Profile(
                          "fixed-" + latency.toMillis() + "ms",
                          latency.toMillis() / 1000.0,
                          Double.POSITIVE_INFINITY))
                  .build());
      MoaConfig config = ConfigLoader.defaultConfig();
      snapshot =
          RequestFactory.snapshot(
              config, ProviderResolver.resolve(config, name -> null, s.baseUrl()));
    } catch (RuntimeException | dev.moa.protocol.config.ConfigException e) {
      if (s != null) {
        s.close();
      }
      if (b != null) {
        b.close();
      }
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    this.broker = b;
    this.bootstrap = bootstrap;
    this.simulator = s;
    this.maxTokens = maxTokens;
    this.producer =
        new KafkaProducer<>(
            settings.producer("moa-bench-tasks"),
            new StringSerializer(),
            Serdes.AGENT_TASK.serializer());
    this.counter = new ResultCounter(settings, "bench-", "moa-bench-results");
  }

  String bootstrap() {
    return bootstrap;
  }

  Simulator simulator() {
    return simulator;
  }

  KafkaSettings settings() {
    return settings;
  }

  long published() {
    return published.get();
  }

  long results() {
    return counter.results();
  }

  long failed() {
    return counter.failed();
  }

  /** The first layer's tasks of a fresh request: three calls with the workshop prompts. */
  private List<AgentTask> nextTasks() {
    MoaRequest request =
        RequestFactory.request(
            "bench-" + ProcessHandle.current().pid() + "-" + requestCounter++,
            snapshot,
            List.of(new dev.moa.protocol.prompt.Message("user", "Question " + requestCounter)),
            null,
            System.currentTimeMillis(),
            Map.of());
    return TaskFactory.layerTasks(request, 1, "", System.currentTimeMillis()).stream()
        .map(t -> AgentTask.newBuilder(t).setMaxTokens(maxTokens).build())
        .toList();
  }

  private void send(AgentTask t) {
    producer.send(new ProducerRecord<>(Topics.AGENT_TASKS.name(), t.getTaskId(), t));
    published.incrementAndGet();
  }

  /** Publishes {@code perSecond} tasks a second, in 10 ms slices, until closed. */
  void publishAtRate(double perSecond) {
    start(
        "moa-bench-rate",
        () -> {
          long start = System.nanoTime();
          List<AgentTask> pending = new ArrayList<>();
          while (!stop.get()) {
            double due = (System.nanoTime() - start) / 1e9 * perSecond;
            while (published.get() < due && !stop.get()) {
              if (pending.isEmpty()) {
                pending.addAll(nextTasks());
              }
              send(pending.remove(pending.size() - 1));
            }
            WorkerProcess.sleep(10);
          }
        });
  }

  /** Keeps {@code backlog()} tasks published but without a result, until closed. */
  void publishBacklog(java.util.function.IntSupplier backlog) {
    start(
        "moa-bench-backlog",
        () -> {
          List<AgentTask> pending = new ArrayList<>();
          while (!stop.get()) {
            while (published.get() - counter.results() < backlog.getAsInt() && !stop.get()) {
              if (pending.isEmpty()) {
                pending.addAll(nextTasks());
              }
              send(pending.remove(pending.size() - 1));
            }
            producer.flush();
            WorkerProcess.sleep(20);
          }
        });
  }

  /** Stops publishing (the counter goes on). */
  void stopPublishing() {
    stop.set(true);
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.flush();
  }

  /** Waits until every published task has a result, or the timeout passes. */
  boolean awaitDrained(Duration timeout) {
    return counter.awaitAtLeast(published.get(), timeout);
  }

  private void start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    threads.add(t);
  }

  @Override
  public void close() {
    stopPublishing();
    counter.close();
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.close(Duration.ofSeconds(5));
    simulator.close();
    if (broker != null) {
      broker.close();
    }
  }
}
