package dev.moa.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InFlightTest {

  @Test
  void awaitIdleReturnsAtOnceWhenNothingIsInFlight() throws Exception {
    assertThat(new InFlight().awaitIdle(Duration.ZERO)).isTrue();
  }

  @Test
  void awaitIdleTimesOutWhileWorkIsInFlight() throws Exception {
    InFlight inFlight = new InFlight();
    inFlight.increment();

    assertThat(inFlight.awaitIdle(Duration.ofMillis(20))).isFalse();
    assertThat(inFlight.count()).isEqualTo(1);
  }

  @Test
  void awaitIdleWakesUpWhenTheLastWorkFinishes() throws Exception {
    InFlight inFlight = new InFlight();
    inFlight.increment();
    inFlight.increment();

    CompletableFuture<Boolean> idle =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return inFlight.awaitIdle(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    inFlight.decrement();
    assertThat(idle).isNotDone();
    inFlight.decrement();

    assertThat(idle.get()).isTrue();
    assertThat(inFlight.count()).isZero();
  }
}
