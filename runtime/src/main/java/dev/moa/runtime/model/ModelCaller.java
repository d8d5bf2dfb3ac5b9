package dev.moa.runtime.model;

import dev.moa.provider.CallOutcome;
import dev.moa.provider.ChatRequest;
import dev.moa.provider.Endpoint;
import dev.moa.provider.StreamListener;
import java.util.concurrent.CompletableFuture;

/**
 * Makes one chat call. {@code ProviderClient::chat} is the production implementation; tests pass
 * fakes. Implementations should never complete exceptionally (callers turn it into a FAILED result
 * anyway).
 */
@FunctionalInterface
public interface ModelCaller {
  CompletableFuture<CallOutcome> chat(Endpoint endpoint, ChatRequest request, StreamListener l);
}
