package dev.moa.runtime.kafka;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a worker's output (an agent result, a grade) until Kafka acknowledges it, so that the
 * input's offset can commit: transient failures are retried with exponential backoff; a permanent
 * one (too large, unserialisable) publishes the {@code fallback} record once instead; after
 * shutdown nothing is published and the input stays uncommitted, to be redelivered.
 */
public final class DurablePublisher<V> {

  private static final Logger log = LoggerFactory.getLogger(DurablePublisher.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final Function<V, CompletableFuture<?>> send;
  private final Function<V, String> describe;
  private final String input;
  private final BiFunction<V, Throwable, V> fallback;
  private final BooleanSupplier closed;
  private final Consumer<V> onSent;

  /**
   * @param send starts one send of the record
   * @param describe names a record in log lines ("result of task X")
   * @param input what is redelivered when the record is not published ("task", "answer")
   * @param fallback the record to publish instead after a permanent failure
   * @param closed true once the worker stops
   * @param onSent told after each acknowledged record
   */
  public DurablePublisher(
      Function<V, CompletableFuture<?>> send,
      Function<V, String> describe,
      String input,
      BiFunction<V, Throwable, V> fallback,
      BooleanSupplier closed,
      Consumer<V> onSent) {
    this.send = send;
    this.describe = describe;
    this.input = input;
    this.fallback = fallback;
    this.closed = closed;
    this.onSent = onSent;
  }

  /** Publishes {@code value}; {@code acknowledged} completes when Kafka has it. */
  public void publish(V value, CompletableFuture<Void> acknowledged) {
    publish(value, acknowledged, 0, false);
  }

  private void publish(
      V value, CompletableFuture<Void> acknowledged, int failures, boolean isFallback) {
    if (closed.getAsBoolean()) {
      // Shut down (e.g. a client was closed under the work): publishing now could turn abandoned
      // work into a failure record. Leave the input uncommitted instead.
      log.info(
          "{} finished after shutdown; the {} will be redelivered", describe.apply(value), input);
      acknowledged.completeExceptionally(new CancellationException("worker stopped"));
      return;
    }
    CompletableFuture<?> sent;
    try {
      sent = send.apply(value);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (ok, error) -> {
          if (error == null) {
            onSent.accept(value);
            acknowledged.complete(null);
            return;
          }
          if (closed.getAsBoolean()) {
            log.warn(
                "{} not published before shutdown; the {} will be redelivered: {}",
                describe.apply(value),
                input,
                error.toString());
            acknowledged.completeExceptionally(error);
            return;
          }
          if (!isFallback && isPermanent(error)) {
            log.error(
                "{} cannot be published ({}); publishing a failure record instead",
                describe.apply(value),
                error.toString());
            publish(fallback.apply(value, error), acknowledged, 0, true);
            return;
          }
          long delayMs = Math.min(MAX_BACKOFF.toMillis(), 100L << Math.min(failures, 10));
          log.warn(
              "publishing the {} failed ({}); retrying in {} ms",
              describe.apply(value),
              error.toString(),
              delayMs);
          CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
              .execute(() -> publish(value, acknowledged, failures + 1, isFallback));
        });
  }

  static boolean isPermanent(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RecordTooLargeException || t instanceof SerializationException) {
        return true;
      }
    }
    return false;
  }
}
