package dev.moa.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many calls in flight at once must not need a thread each. */
class ProviderClientConcurrencyTest {
  private static final int CALLS = 300;

  @Test
  void threeHundredSlowCallsRunConcurrentlyOnFewThreads() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (StubServer stub = new StubServer();
        ProviderClient client =
            new ProviderClient(
                ProviderClientOptions.builder()
                    .idleTimeout(Duration.ofSeconds(10))
                    .callTimeout(Duration.ofSeconds(30))
                    .build())) {
      stub.fallback(StubServer.delayed(Duration.ofMillis(500), StubServer.ok("pong")));
      Endpoint endpoint = new Endpoint("stub", stub.baseUrl(), "k");
      ChatRequest request =
          new ChatRequest("stub-model", List.of(ChatMessage.user("ping")), 0.0, 8, null);

      // Warm up (JIT, I/O threads) before the baseline is taken.
      List<CompletableFuture<CallOutcome>> warmUp = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        warmUp.add(client.chat(endpoint, request, null));
      }
      CompletableFuture<Void> warm =
          CompletableFuture.allOf(warmUp.toArray(new CompletableFuture<?>[0]));
      await().atMost(Duration.ofSeconds(30)).until(warm::isDone);
      assertThat(warmUp).allSatisfy(f -> assertThat(f.join().succeeded()).isTrue());
      int warmUpRequests = stub.requests().size();
      int baseline = threads.getThreadCount();
      AtomicInteger peak = new AtomicInteger(baseline);

      long start = System.nanoTime();
      List<CompletableFuture<CallOutcome>> futures = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        futures.add(client.chat(endpoint, request, null));
      }
      CompletableFuture<Void> all =
          CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
      await()
          .atMost(Duration.ofSeconds(30))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                peak.accumulateAndGet(threads.getThreadCount(), Math::max);
                return all.isDone();
              });
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;

      assertThat(futures)
          .allSatisfy(
              f -> {
                CallOutcome o = f.join();
                assertThat(o).isInstanceOf(CallOutcome.Succeeded.class);
                assertThat(((CallOutcome.Succeeded) o).content()).isEqualTo("pong");
                assertThat(o.timings().attempts()).isEqualTo(1);
              });
      assertThat(stub.requests()).hasSize(warmUpRequests + CALLS);
      // One after another this would take 150 s; concurrently about one server delay (plus
      // slack for a loaded 2-core machine).
      assertThat(elapsedMs).isLessThan(20_000);
      assertThat(stub.maxInFlight()).isGreaterThanOrEqualTo(50);
      assertThat(peak.get() - baseline)
          .as("threads added while %d calls were in flight", CALLS)
          .isLessThan(50);
    }
  }
}
