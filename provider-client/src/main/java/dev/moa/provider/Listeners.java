package dev.moa.provider;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Shared no-op listeners. */
final class Listeners {
  static final StreamListener NO_STREAM = new StreamListener() {};
  static final RetryListener NO_RETRY = (endpoint, model, attempt, cause, delay) -> {};

  private static final RateGate.Permit NO_PERMIT =
      new RateGate.Permit() {
        @Override
        public void responded(int status, Function<String, String> header) {}

        @Override
        public void noResponse() {}
      };
  private static final CompletableFuture<RateGate.Permit> GRANTED =
      CompletableFuture.completedFuture(NO_PERMIT);
  static final RateGate NO_GATE = (endpoint, model, tokens) -> GRANTED;

  private Listeners() {}
}
