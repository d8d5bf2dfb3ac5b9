package dev.moa.aggregator;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AggregationMode;
import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.provider.ErrorClass;
import dev.moa.provider.StreamListener;
import dev.moa.runtime.consume.DeadLetters;
import dev.moa.runtime.metrics.MetricNames;
import dev.moa.runtime.model.InFlight;
import dev.moa.runtime.model.ModelTaskExecutor;
import dev.moa.runtime.model.TaskCalls;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.stereotype.Component;

/**
 * Aggregates a batch of AggregateTasks inside the container's Kafka transaction: every aggregator
 * call of the batch starts at once, the batch waits (bounded) for all of them, then one FinalAnswer
 * per task is sent and the container commits the answers together with the consumed offsets. A
 * crash before the commit aborts the transaction and the batch is redelivered, so read_committed
 * readers see exactly one FinalAnswer per task.
 *
 * <p>Undecodable records and records with impossible values ({@code RecordChecks}) are
 * dead-lettered to {@code moa.aggregate-tasks-dlt} in the same transaction. On shutdown the
 * container is paused and a batch in progress gets {@code drain-timeout} to commit; a batch that
 * finishes later (its calls cut off by the shutdown) is rolled back rather than turned into FAILED
 * answers.
 */
@Component
public class AggregateTaskListener implements SmartLifecycle {

  static final String LISTENER_ID = "moa-aggregate-tasks";

  private static final Logger log = LoggerFactory.getLogger(AggregateTaskListener.class);
  private static final LogAccessor LOG_ACCESSOR = new LogAccessor(AggregateTaskListener.class);

  /** Beyond the call timeout, how long a batch waits before it gives up on a call. */
  static final Duration WAIT_MARGIN = Duration.ofSeconds(30);

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

  private final ModelTaskExecutor executor;
  private final KafkaTemplate<String, byte[]> answers;
  private final KafkaTemplate<String, AnswerChunk> chunks;
  private final KafkaListenerEndpointRegistry registry;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Duration callWait;
  private final Duration drainTimeout;
  private final InFlight batches = new InFlight();
  private volatile boolean running;
  private volatile boolean closed;

  public AggregateTaskListener(
      ModelTaskExecutor aggregatorExecutor,
      KafkaTemplate<String, byte[]> answerTemplate,
      KafkaTemplate<String, AnswerChunk> chunkTemplate,
      KafkaListenerEndpointRegistry registry,
      MeterRegistry meters,
      Clock clock,
      AggregatorProperties props) {
    this.executor = aggregatorExecutor;
    this.answers = answerTemplate;
    this.chunks = chunkTemplate;
    this.registry = registry;
    this.meters = meters;
    // At zero from the start, so a DLT-growth alert has a series before the first dead letter.
    meters.counter(
        MetricNames.DLT_RECORDS,
        MetricNames.TAG_TOPIC,
        dev.moa.protocol.topic.Topics.AGGREGATE_TASKS.name());
    this.clock = clock;
    this.callWait = props.callTimeout().plus(WAIT_MARGIN);
    this.drainTimeout = props.drainTimeout();
  }

  private record Call(
      AggregateTask task, CompletableFuture<AgentResult> result, ChunkStream stream) {}

  @KafkaListener(
      id = LISTENER_ID,
      topics = "moa.aggregate-tasks",
      groupId = AggregatorConfiguration.GROUP_ID,
      containerFactory = AggregatorConfiguration.CONTAINER_FACTORY,
      batch = "true")
  public void onBatch(List<ConsumerRecord<String, AggregateTask>> records)
      throws InterruptedException {
    batches.increment();
    try {
      List<Call> calls = new ArrayList<>(records.size());
      List<CompletableFuture<?>> sends = new ArrayList<>();
      for (ConsumerRecord<String, AggregateTask> record : records) {
        if (record.value() == null) {
          sends.add(deadLetter(record));
          continue;
        }
        AggregateTask task = record.value();
        ChunkStream stream = new ChunkStream(task.getRequestId(), chunks);
        CompletableFuture<AgentResult> result =
            switch (task.getAggregation()) {
              // A vote calls no model; a best_of_n judge's reasoning is not the answer, so
              // neither streams deltas: the chosen answer goes out as one chunk below.
              case VOTE ->
                  CompletableFuture.completedFuture(
                      FinalAnswerBuilder.voteResult(task, clock.millis()));
              case BEST_OF_N -> executor.execute(task.getCall(), StreamListener.none());
              default ->
                  executor.execute(task.getCall(), stream).whenComplete((r, e) -> stream.done());
            };
        calls.add(new Call(task, result, stream));
      }
      awaitCalls(calls);
      if (closed) {
        throw new IllegalStateException(
            "shutting down: batch of "
                + records.size()
                + " aggregate tasks rolled back; it will be redelivered");
      }
      for (Call call : calls) {
        FinalAnswer answer = FinalAnswerBuilder.build(call.task(), resultOf(call));
        if (call.task().getAggregation() != AggregationMode.SYNTHESIZE) {
          if (!answer.getAnswer().isEmpty()) {
            call.stream().onDelta(answer.getAnswer());
          }
          call.stream().done();
        }
        sends.add(
            answers.send(
                Topics.ANSWERS.name(), answer.getRequestId(), Serdes.FINAL_ANSWER.toBytes(answer)));
      }
      awaitSends(sends);
    } finally {
      batches.decrement();
    }
  }

  private void awaitCalls(List<Call> calls) throws InterruptedException {
    CompletableFuture<?> all =
        CompletableFuture.allOf(calls.stream().map(Call::result).toArray(CompletableFuture[]::new));
    try {
      all.get(callWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("aggregator calls still running after {}; failing them", callWait);
    } catch (ExecutionException e) {
      // The executor's futures never fail; resultOf() turns a failure into a FAILED result anyway.
      log.error("aggregator call broke", e.getCause());
    }
  }

  private AgentResult resultOf(Call call) {
    CompletableFuture<AgentResult> f = call.result();
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return f.join();
    }
    String message =
        f.isDone()
            ? "aggregator call broke"
            : "aggregator call did not finish within " + callWait.toMillis() + " ms";
    return TaskCalls.failedResult(
        call.task().getCall(),
        f.isDone() ? ErrorClass.INTERNAL.wireName() : ErrorClass.TIMEOUT.wireName(),
        message,
        clock);
  }

  private static void awaitSends(List<CompletableFuture<?>> sends) throws InterruptedException {
    try {
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
          .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("sending answers failed; the batch will be retried", e);
    }
  }

  private CompletableFuture<?> deadLetter(ConsumerRecord<String, AggregateTask> record) {
    DeserializationException error =
        SerializationUtils.getExceptionFromHeader(
            record, SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, LOG_ACCESSOR);
    if (error == null) {
      log.warn(
          "skipping empty record {}-{}@{}", record.topic(), record.partition(), record.offset());
      return CompletableFuture.completedFuture(null);
    }
    log.warn(
        "dead-lettering {}-{}@{}: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        error.getMessage());
    meters.counter(MetricNames.DLT_RECORDS, MetricNames.TAG_TOPIC, record.topic()).increment();
    // Spring's kafka_dlt-* headers and the moa.dlt.* ones every dead letter of the pipeline has;
    // the exception is what refused the bytes (undecodable, or an impossible value).
    Throwable cause = error.getCause() != null ? error.getCause() : error;
    Headers original = new RecordHeaders(record.headers().toArray());
    original.remove(SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER); // a serialized copy
    Headers headers =
        DeadLetters.headers(original, cause, record.topic(), record.partition(), record.offset());
    headers.add(KafkaHeaders.DLT_ORIGINAL_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
    headers.add(
        KafkaHeaders.DLT_ORIGINAL_PARTITION,
        ByteBuffer.allocate(Integer.BYTES).putInt(record.partition()).array());
    headers.add(
        KafkaHeaders.DLT_ORIGINAL_OFFSET,
        ByteBuffer.allocate(Long.BYTES).putLong(record.offset()).array());
    headers.add(
        KafkaHeaders.DLT_EXCEPTION_FQCN,
        error.getClass().getName().getBytes(StandardCharsets.UTF_8));
    headers.add(
        KafkaHeaders.DLT_EXCEPTION_MESSAGE,
        String.valueOf(error.getMessage()).getBytes(StandardCharsets.UTF_8));
    return answers.send(
        new ProducerRecord<>(
            Topics.AGGREGATE_TASKS.dltName(), null, record.key(), error.getData(), headers));
  }

  @Override
  public void start() {
    closed = false;
    running = true;
    try {
      chunks.partitionsFor(Topics.ANSWER_CHUNKS.name()); // fetch metadata off the I/O threads
    } catch (RuntimeException e) {
      log.warn("cannot fetch metadata of {}: {}", Topics.ANSWER_CHUNKS.name(), e.toString());
    }
  }

  @Override
  public void stop() {
    MessageListenerContainer container = registry.getListenerContainer(LISTENER_ID);
    if (container != null && container.isRunning()) {
      container.pause();
    }
    try {
      if (!batches.awaitIdle(drainTimeout)) {
        log.warn("a batch is still in progress after {}; it will be rolled back", drainTimeout);
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
