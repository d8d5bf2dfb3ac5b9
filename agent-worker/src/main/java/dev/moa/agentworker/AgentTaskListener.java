package dev.moa.agentworker;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CallError;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.topic.Topics;
import dev.moa.provider.ErrorClass;
import dev.moa.runtime.model.InFlight;
import dev.moa.runtime.model.TaskCalls;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Executes each AgentTask and publishes its AgentResult (key = request id).
 *
 * <p>The listener returns a future that completes only once Kafka acknowledged the result. Spring
 * Kafka then runs the container with MANUAL, out-of-order acknowledgements: a task's offset is
 * committed only when its result (and every earlier task's result on that partition) is in Kafka. A
 * worker killed mid-call therefore loses nothing: its uncommitted tasks are redelivered. The future
 * never completes exceptionally (Spring would acknowledge a failed future): a result that cannot be
 * sent is retried until it is, or until shutdown, when it stays unacknowledged.
 *
 * <p>Shutdown drains: before the listener container stops, it is paused and in-flight tasks get up
 * to {@code drain-timeout} to finish and be acknowledged, so their offsets commit on stop.
 */
@Component
public class AgentTaskListener implements SmartLifecycle {

  static final String LISTENER_ID = "moa-agent-tasks";

  private static final Logger log = LoggerFactory.getLogger(AgentTaskListener.class);
  private static final Duration MAX_SEND_BACKOFF = Duration.ofSeconds(10);

  private final AgentTaskExecutor executor;
  private final KafkaTemplate<String, AgentResult> results;
  private final KafkaListenerEndpointRegistry registry;
  private final Clock clock;
  private final Duration drainTimeout;
  private final InFlight inFlight = new InFlight();
  private volatile boolean running;
  private volatile boolean closed;

  public AgentTaskListener(
      AgentTaskExecutor executor,
      KafkaTemplate<String, AgentResult> agentResultTemplate,
      KafkaListenerEndpointRegistry registry,
      Clock clock,
      AgentWorkerProperties props) {
    this.executor = executor;
    this.results = agentResultTemplate;
    this.registry = registry;
    this.clock = clock;
    this.drainTimeout = props.drainTimeout();
  }

  @KafkaListener(
      id = LISTENER_ID,
      topics = "moa.agent-tasks",
      groupId = AgentWorkerConfiguration.GROUP_ID,
      containerFactory = AgentWorkerConfiguration.CONTAINER_FACTORY)
  public CompletableFuture<Void> onTask(AgentTask task) {
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    inFlight.increment();
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
        .thenAccept(r -> publish(r, acknowledged, 0, false));
    return acknowledged;
  }

  private void publish(
      AgentResult result, CompletableFuture<Void> acknowledged, int failures, boolean fallback) {
    if (closed) {
      // Shutting down (e.g. the model client was closed under the call): publishing now could
      // turn an abandoned call into a FAILED result. Leave the task unacknowledged instead.
      log.info("task {} finished after shutdown; it will be redelivered", result.getTaskId());
      inFlight.decrement();
      return;
    }
    CompletableFuture<?> send;
    try {
      send = results.send(Topics.AGENT_RESULTS.name(), result.getRequestId(), result);
    } catch (RuntimeException e) {
      send = CompletableFuture.failedFuture(e);
    }
    send.whenComplete(
        (ok, error) -> {
          if (error == null) {
            // Completing runs Spring's acknowledgement synchronously, before we count the task
            // done: a drained task's ack is always queued before the container stops.
            acknowledged.complete(null);
            inFlight.decrement();
            return;
          }
          if (closed) {
            log.warn(
                "result of task {} not published before shutdown; the task will be redelivered: {}",
                result.getTaskId(),
                error.toString());
            inFlight.decrement();
            return;
          }
          if (!fallback && isPermanent(error)) {
            log.error(
                "result of task {} cannot be published ({}); publishing a FAILED result instead",
                result.getTaskId(),
                error.toString());
            publish(tooBig(result, error), acknowledged, 0, true);
            return;
          }
          long delayMs = Math.min(MAX_SEND_BACKOFF.toMillis(), 100L << Math.min(failures, 10));
          log.warn(
              "publishing result of task {} failed ({}); retrying in {} ms",
              result.getTaskId(),
              error.toString(),
              delayMs);
          CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
              .execute(() -> publish(result, acknowledged, failures + 1, fallback));
        });
  }

  private static boolean isPermanent(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RecordTooLargeException || t instanceof SerializationException) {
        return true;
      }
    }
    return false;
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
    return inFlight.count();
  }

  @Override
  public void start() {
    closed = false;
    running = true;
  }

  @Override
  public void stop() {
    MessageListenerContainer container = registry.getListenerContainer(LISTENER_ID);
    if (container != null && container.isRunning()) {
      container.pause();
    }
    int pending = inFlight.count();
    if (pending > 0) {
      log.info("draining {} in-flight tasks (up to {})", pending, drainTimeout);
    }
    try {
      if (!inFlight.awaitIdle(drainTimeout)) {
        log.warn(
            "{} tasks still in flight after {}; they will be redelivered",
            inFlight.count(),
            drainTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
      running = false;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops before the listener containers (phase {@code Integer.MAX_VALUE - 100}). */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 50;
  }
}
