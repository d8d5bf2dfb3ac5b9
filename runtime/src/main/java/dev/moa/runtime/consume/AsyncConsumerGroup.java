package dev.moa.runtime.consume;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code concurrency} consumers of one service: started together, drained together, so that a
 * whole stop takes one drain timeout at most. Services wrap it in their Spring lifecycle.
 */
public final class AsyncConsumerGroup<V extends org.apache.avro.specific.SpecificRecord> {

  private static final Logger log = LoggerFactory.getLogger(AsyncConsumerGroup.class);

  private final String what;
  private final List<AsyncRecordConsumer<V>> consumers = new CopyOnWriteArrayList<>();

  /**
   * @param what what the consumers handle, for log lines ("agent tasks", "answers")
   */
  public AsyncConsumerGroup(String what) {
    this.what = what;
  }

  /** Creates and starts {@code count} consumers; {@code create} gets the consumer's index. */
  public void start(int count, IntFunction<AsyncRecordConsumer<V>> create) {
    for (int i = 0; i < count; i++) {
      consumers.add(create.apply(i).start());
    }
  }

  /** Records received whose handling has not completed yet, over all consumers. */
  public int inFlight() {
    return consumers.stream().mapToInt(AsyncRecordConsumer::inFlight).sum();
  }

  /** Stops fetching and drains every consumer at the same time, up to {@code drainTimeout}. */
  public void stop(Duration drainTimeout) {
    int pending = inFlight();
    if (pending > 0) {
      log.info("draining {} in-flight {} (up to {})", pending, what, drainTimeout);
    }
    List<CompletableFuture<Void>> closing =
        consumers.stream().map(c -> c.closeAsync(drainTimeout)).toList();
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
          .get(drainTimeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("{} consumers did not close in time: {}", what, e.toString());
    } finally {
      consumers.clear();
    }
  }
}
