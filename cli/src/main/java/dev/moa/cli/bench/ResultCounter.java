package dev.moa.cli.bench;

import dev.moa.cli.stack.WorkerProcess;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Counts the AgentResults written to {@code moa.agent-results} from now on whose request id starts
 * with a prefix (the benchmarks' own tasks), and how many of them are not SUCCEEDED. A daemon
 * thread reads until {@link #close()}.
 */
final class ResultCounter implements AutoCloseable {

  private final AtomicLong results = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean counting = new AtomicBoolean(true);
  private final Thread thread;

  ResultCounter(KafkaSettings settings, String requestIdPrefix, String threadName) {
    KafkaConsumer<String, AgentResult> consumer =
        new KafkaConsumer<>(
            settings.consumer(null, false),
            new StringDeserializer(),
            Serdes.AGENT_RESULT.deserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (int p = 0; p < Topics.AGENT_RESULTS.partitions(); p++) {
      parts.add(new TopicPartition(Topics.AGENT_RESULTS.name(), p));
    }
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position);
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (counting.get()) {
                  for (ConsumerRecord<String, AgentResult> r :
                      consumer.poll(Duration.ofMillis(100))) {
                    if (r.value().getRequestId().startsWith(requestIdPrefix)) {
                      results.incrementAndGet();
                      if (r.value().getStatus() != CallStatus.SUCCEEDED) {
                        failed.incrementAndGet();
                      }
                    }
                  }
                }
              }
            },
            threadName);
    thread.setDaemon(true);
    thread.start();
  }

  long results() {
    return results.get();
  }

  long failed() {
    return failed.get();
  }

  /** Waits until at least {@code expected} results were counted, or the timeout passes. */
  boolean awaitAtLeast(long expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (results.get() < expected && System.nanoTime() < deadline) {
      WorkerProcess.sleep(100);
    }
    return results.get() >= expected;
  }

  @Override
  public void close() {
    counting.set(false);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
