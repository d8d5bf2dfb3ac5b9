package dev.moa.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.node.ObjectNode;

class SimulatorConcurrencyTest {

  @Test
  void fiveHundredConcurrentOneSecondStreamsAllComplete() {
    // 0.2 s to first token, then 80 tokens at 100 tok/s: every stream lasts about one second.
    Profile oneSecond = new Profile("one-second", 0.2, 100);
    try (Simulator sim =
        Simulator.start(SimulatorOptions.builder().defaultProfile(oneSecond).build())) {
      int n = 500;
      long t0 = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ObjectNode body = SimHttp.chat("llama-3.3-70b", "Question " + i);
        body.put("stream", true).put("max_tokens", 80);
        HttpRequest request =
            SimHttp.request(sim, "/chat/completions")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(SimHttp.JSON.writeValueAsString(body)))
                .build();
        futures.add(SimHttp.CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .orTimeout(15, TimeUnit.SECONDS)
          .join();
      long elapsed = System.nanoTime() - t0;

      for (CompletableFuture<HttpResponse<String>> f : futures) {
        HttpResponse<String> res = f.join();
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).endsWith("data: [DONE]\n\n");
      }
      // Paced, not instant: every stream needed its simulated second.
      assertThat(elapsed).isGreaterThanOrEqualTo(1_000_000_000L);
      assertThat(sim.stats().completed()).isEqualTo(n);
      await().atMost(Duration.ofSeconds(5)).until(() -> sim.stats().running() == 0);
      // All of that was served by a fixed, small set of event-loop threads.
      long serverThreads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().startsWith("moa-simulator"))
              .count();
      assertThat(serverThreads).isLessThanOrEqualTo(LoopResources.DEFAULT_IO_WORKER_COUNT + 1);
    }
  }
}
