package dev.moa.provider;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A client-side rate budget the {@link ProviderClient} asks before every attempt (retries included)
 * and tells about every response. Implementations must not block: {@link #acquire} returns a future
 * that completes when the attempt may be sent.
 */
public interface RateGate {

  /**
   * Reserves one request of {@code tokens} (the request's input estimate + its max tokens, see
   * {@link TokenEstimate}) against the budget of the endpoint's provider and {@code model}.
   *
   * @return completes, never exceptionally, once the attempt may be sent
   */
  CompletableFuture<Permit> acquire(Endpoint endpoint, String model, long tokens);

  /** One reserved attempt. The client calls exactly one of its methods once. */
  interface Permit {
    /** The attempt got a response: its status and header lookup (null when absent). */
    void responded(int status, Function<String, String> header);

    /** The attempt ended without a response (connection failure, client closed). */
    void noResponse();
  }

  /** No budget: every attempt goes at once. */
  static RateGate none() {
    return Listeners.NO_GATE;
  }
}
