package dev.moa.agentworker;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallError;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.serde.RecordChecks;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.provider.ErrorClass;
import dev.moa.runtime.consume.AsyncConsumerGroup;
import dev.moa.runtime.consume.AsyncConsumerOptions;
import dev.moa.runtime.consume.AsyncRecordConsumer;
import dev.moa.runtime.kafka.DurablePublisher;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.model.TaskCalls;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code moa.agent-tasks}, executes each AgentTask and publishes its AgentResult (key =
 * request id).
 *
 * <p>Runs {@code concurrency} {@link AsyncRecordConsumer}s (group {@value
 * AgentWorkerConfiguration#GROUP_ID}), each with up to {@code max-in-flight} tasks in flight. A
 * task's future completes only once Kafka acknowledged its result, and a partition's offset is
 * committed only up to its first task without an acknowledged result, so a worker killed mid-call
 * loses nothing: its uncommitted tasks are redelivered. Tasks never wait for each other (see
 * docs/decisions/003). A result that cannot be sent is retried until it is, or until shutdown, when
 * its task stays uncommitted.
 *
 * <p>Shutdown drains: the consumers stop fetching and in-flight tasks get up to {@code
 * drain-timeout} to finish and be committed.
 */
@Component
public class AgentTaskListener implements SmartLifecycle {

  private final AgentTaskExecutor executor;
  private final KafkaTemplate<String, AgentResult> results;
  private final DurablePublisher<AgentResult> publisher;
  private final Producer<byte[], byte[]> deadLetters;
  private final KafkaSettings settings;
  private final MeterRegistry registry;
  private final Clock clock;
  private final AgentWorkerProperties props;
  private final AsyncConsumerGroup<AgentTask> consumers = new AsyncConsumerGroup<>("agent tasks");
  private volatile boolean running;
  private volatile boolean closed;

  public AgentTaskListener(
      AgentTaskExecutor executor,
      KafkaTemplate<String, AgentResult> agentResultTemplate,
      Producer<byte[], byte[]> agentTaskDeadLetterProducer,
      KafkaSettings settings,
      MeterRegistry registry,
      Clock clock,
      AgentWorkerProperties props) {
    this.executor = executor;
    this.results = agentResultTemplate;
    this.publisher =
        new DurablePublisher<>(
            r -> results.send(Topics.AGENT_RESULTS.name(), r.getRequestId(), r),
            r -> "result of task " + r.getTaskId(),
            "task",
            this::tooBig,
            () -> closed,
            r -> {});
    this.deadLetters = agentTaskDeadLetterProducer;
    this.settings = settings;
    this.registry = registry;
    this.clock = clock;
    this.props = props;
  }

  /** Runs one task; the future completes when its result is in Kafka. */
  CompletableFuture<Void> onTask(AgentTask task) {
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    CompletableFuture<AgentResult> result;
    try {
      result = executor.execute(task);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result
        .exceptionally(
            e ->
                TaskCalls.failedResult(
                    task, ErrorClass.INTERNAL.wireName(), "worker error: " + e, clock))
        .thenAccept(r -> publisher.publish(r, acknowledged));
    return acknowledged;
  }

  private AgentResult tooBig(AgentResult result, Throwable error) {
    return AgentResult.newBuilder(result)
        .setStatus(CallStatus.FAILED)
        .setContent("")
        .setError(
            new CallError(
                ErrorClass.INTERNAL.wireName(),
                "result could not be published ("
                    + result.getContent().length()
                    + " chars of content): "
                    + error,
                null))
        .build();
  }

  /** Tasks received whose results Kafka has not acknowledged yet. */
  public int inFlight() {
    return consumers.inFlight();
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    closed = false;
    consumers.start(
        props.concurrency(),
        i ->
            new AsyncRecordConsumer<>(
                settings,
                AsyncConsumerOptions.builder(
                        Topics.AGENT_TASKS.name(), AgentWorkerConfiguration.GROUP_ID)
                    .name("moa-agent-tasks-" + i)
                    .maxInFlight(props.maxInFlight())
                    .drainTimeout(props.drainTimeout())
                    .build(),
                RecordChecks.checked(Serdes.AGENT_TASK),
                deadLetters,
                registry,
                this::onTask));
    running = true;
  }

  @Override
  public synchronized void stop() {
    try {
      consumers.stop(props.drainTimeout());
    } finally {
      closed = true;
      running = false;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Starts last and stops first: tasks drain while everything they need is still up. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }
}
