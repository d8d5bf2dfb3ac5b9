package dev.moa.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.moa.provider.Endpoint;
import dev.moa.provider.RateGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateBudgetsTest {
  private static final Endpoint CEREBRAS = new Endpoint("cerebras", "http://127.0.0.1:1/v1", null);
  private static final String MODEL = "llama3.1-8b";

  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private final AtomicInteger members = new AtomicInteger(1);
  private RateBudgets budgets;

  private RateBudgets budgets(Duration window, RateBudgets.Limit... limits) {
    budgets =
        new RateBudgets(
            List.of(limits), window, (p, m) -> members.get(), (p, m, d) -> waits.add(d));
    return budgets;
  }

  @AfterEach
  void close() {
    if (budgets != null) {
      budgets.close();
    }
  }

  private static Map<String, String> headers(String... pairs) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private List<CompletableFuture<RateGate.Permit>> acquire(int n, long tokens) {
    List<CompletableFuture<RateGate.Permit>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(budgets.acquire(CEREBRAS, MODEL, tokens));
    }
    return out;
  }

  private static long done(List<CompletableFuture<RateGate.Permit>> fs) {
    return fs.stream().filter(CompletableFuture::isDone).count();
  }

  @Test
  void eachMemberSpendsItsShareOfTheWindowThenWaitsForTheNext() {
    members.set(4);
    budgets(Duration.ofMillis(800), new RateBudgets.Limit("cerebras", "*", 100, 1000));

    // A share is 1000 / 4 = 250 tokens: two calls of 100, not three.
    List<CompletableFuture<RateGate.Permit>> fs = acquire(3, 100);
    assertThat(done(fs)).isEqualTo(2);
    assertThat(budgets.snapshot("cerebras", MODEL).usedTokens()).isEqualTo(200);
    assertThat(budgets.snapshot("cerebras", MODEL).waiting()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(3)).until(() -> fs.get(2).isDone());
    assertThat(waits).hasSize(1);
    assertThat(waits.get(0)).isGreaterThan(Duration.ofMillis(500));
    // Another model of the same provider has a budget of its own (same configured limit).
    assertThat(budgets.acquire(CEREBRAS, "qwen-3-32b", 200)).isDone();
  }

  @Test
  void untilTheMembersAreCountedCallsWaitThenTakeTheirShare() {
    VirtualTime time = new VirtualTime();
    members.set(0); // not counted yet
    budgets =
        new RateBudgets(
            List.of(new RateBudgets.Limit("cerebras", "*", 100, 1000)),
            Duration.ofSeconds(30),
            (p, m) -> members.get(),
            (p, m, d) -> waits.add(d),
            time::nanoTime,
            time);
    List<CompletableFuture<RateGate.Permit>> fs = acquire(3, 100);
    time.advance(Duration.ofMillis(300)); // the member count is asked again every 100 ms
    assertThat(done(fs)).isZero();
    assertThat(budgets.snapshot("cerebras", MODEL).waiting()).isEqualTo(3);

    members.set(5); // a share of 1000 / 5 = 200 tokens: two calls of 100
    time.advance(Duration.ofMillis(200));
    assertThat(done(fs)).isEqualTo(2);
    time.advance(Duration.ofMillis(300));
    assertThat(done(fs)).isEqualTo(2);
  }

  /**
   * A clock and a scheduler that move only when the test advances them: tasks run on the test's
   * thread, in time order, each when the clock reaches it. Only what RateBudgets uses is there.
   */
  private static final class VirtualTime extends AbstractExecutorService
      implements ScheduledExecutorService {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long sequence;
    private boolean shutdown;

    long nanoTime() {
      return now;
    }

    /** Moves the clock by {@code d}, running every task that falls due on the way. */
    void advance(Duration d) {
      long until = now + d.toNanos();
      for (Task next = tasks.peek(); next != null && next.at <= until; next = tasks.peek()) {
        tasks.poll();
        now = Math.max(now, next.at);
        next.run();
      }
      now = until;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      if (shutdown) {
        throw new RejectedExecutionException("shut down");
      }
      Task task = new Task(command, now + unit.toNanos(Math.max(0, delay)), sequence++);
      tasks.add(task);
      return task;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void execute(Runnable command) {
      schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      List<Runnable> pending = new ArrayList<>(tasks);
      tasks.clear();
      return pending;
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return shutdown;
    }

    private final class Task extends FutureTask<Void> implements ScheduledFuture<Void> {
      final long at;
      final long order;

      Task(Runnable command, long at, long order) {
        super(command, null);
        this.at = at;
        this.order = order;
      }

      @Override
      public long getDelay(TimeUnit unit) {
        return unit.convert(at - now, TimeUnit.NANOSECONDS);
      }

      @Override
      public int compareTo(Delayed other) {
        Task o = (Task) other;
        return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
      }
    }
  }

  @Test
  void anotherKeyOfTheSameProviderHasABudgetOfItsOwn() {
    budgets(Duration.ofSeconds(30), new RateBudgets.Limit("cerebras", "*", 1, 0));
    assertThat(budgets.acquire(CEREBRAS, MODEL, 10)).isDone();
    assertThat(budgets.acquire(CEREBRAS, MODEL, 10)).isNotDone(); // 1 request a window
    Endpoint otherKey = new Endpoint("cerebras", "http://127.0.0.1:1/v1", "another-key");
    assertThat(budgets.acquire(otherKey, MODEL, 10)).isDone();
  }

  @Test
  void requestsAreSharedToo() {
    members.set(3);
    budgets(Duration.ofSeconds(5), new RateBudgets.Limit("cerebras", MODEL, 7, 0));
    // 7 / 3 = 2 requests each.
    assertThat(done(acquire(3, 10))).isEqualTo(2);
  }

  @Test
  void withoutConfiguredLimitsOneProbeGoesFirstAndHeadersBringTheLimits() {
    budgets(Duration.ofSeconds(5));
    List<CompletableFuture<RateGate.Permit>> fs = acquire(4, 100);
    assertThat(done(fs)).isEqualTo(1);

    fs.get(0)
        .join()
        .responded(
            200,
            headers(
                    "x-ratelimit-limit-tokens-minute", "1000",
                    "x-ratelimit-remaining-tokens-minute", "250",
                    "x-ratelimit-reset-tokens-minute", "4.5",
                    "x-ratelimit-limit-requests-minute", "50",
                    "x-ratelimit-remaining-requests-minute", "40",
                    "x-ratelimit-reset-requests-minute", "4.5")
                ::get);

    // The provider says 250 tokens are left: two more calls of 100, the fourth waits.
    assertThat(done(fs)).isEqualTo(3);
    RateBudgets.Snapshot s = budgets.snapshot("cerebras", MODEL);
    assertThat(s.limitTokens()).isEqualTo(1000);
    assertThat(s.limitRequests()).isEqualTo(50);
    assertThat(s.serverRemainingTokens()).isEqualTo(250);
    assertThat(s.waiting()).isEqualTo(1);
  }

  @Test
  void aProviderWithoutLimitHeadersHasNoBudgetAfterTheProbe() {
    budgets(Duration.ofSeconds(5));
    List<CompletableFuture<RateGate.Permit>> fs = acquire(3, 100);
    assertThat(done(fs)).isEqualTo(1);
    fs.get(0).join().responded(200, headers()::get);
    assertThat(done(fs)).isEqualTo(3);
    assertThat(done(acquire(50, 100_000))).isEqualTo(50);
  }

  @Test
  void aLostProbeLetsTheNextOneGo() {
    budgets(Duration.ofSeconds(5));
    List<CompletableFuture<RateGate.Permit>> fs = acquire(2, 100);
    fs.get(0).join().noResponse();
    assertThat(done(fs)).isEqualTo(2);
  }

  @Test
  void a429PausesTheWholeBudgetForItsRetryAfterAndGivesTheReservationBack() {
    budgets(Duration.ofSeconds(10), new RateBudgets.Limit("cerebras", "*", 100, 10_000));
    RateGate.Permit p = budgets.acquire(CEREBRAS, MODEL, 500).join();
    assertThat(budgets.snapshot("cerebras", MODEL).usedTokens()).isEqualTo(500);

    p.responded(429, headers("retry-after-ms", "400", "retry-after", "1")::get);

    RateBudgets.Snapshot s = budgets.snapshot("cerebras", MODEL);
    assertThat(s.paused()).isTrue();
    assertThat(s.usedTokens()).isZero();
    long t0 = System.nanoTime();
    CompletableFuture<RateGate.Permit> next = budgets.acquire(CEREBRAS, MODEL, 100);
    assertThat(next).isNotDone();
    await().atMost(Duration.ofSeconds(3)).until(next::isDone);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(350));
  }

  @Test
  void theWindowFollowsTheProvidersReset() {
    budgets(Duration.ofSeconds(60), new RateBudgets.Limit("cerebras", "*", 1, 0));
    RateGate.Permit p = budgets.acquire(CEREBRAS, MODEL, 1).join();
    CompletableFuture<RateGate.Permit> second = budgets.acquire(CEREBRAS, MODEL, 1);
    assertThat(second).isNotDone();
    // The provider's window ends in 0.3 s, not in a minute.
    p.responded(
        200,
        headers(
                "x-ratelimit-limit-requests-minute", "1",
                "x-ratelimit-remaining-requests-minute", "0",
                "x-ratelimit-reset-requests-minute", "0.3")
            ::get);
    await().atMost(Duration.ofSeconds(2)).until(second::isDone);
  }

  @Test
  void aLateAnswerFromThePreviousWindowChangesNothing() {
    budgets(Duration.ofSeconds(10), new RateBudgets.Limit("cerebras", "*", 10, 0));
    RateGate.Permit first = budgets.acquire(CEREBRAS, MODEL, 1).join();
    RateGate.Permit second = budgets.acquire(CEREBRAS, MODEL, 1).join();
    first.responded(
        200,
        headers(
                "x-ratelimit-limit-requests-minute", "10",
                "x-ratelimit-remaining-requests-minute", "8",
                "x-ratelimit-reset-requests-minute", "9.0")
            ::get);
    // Says its window ends in 0.1 s although ours ends in ~9 s: from the previous window.
    second.responded(
        200,
        headers(
                "x-ratelimit-limit-requests-minute", "10",
                "x-ratelimit-remaining-requests-minute", "0",
                "x-ratelimit-reset-requests-minute", "0.1")
            ::get);
    assertThat(budgets.acquire(CEREBRAS, MODEL, 1)).isDone();
    assertThat(budgets.snapshot("cerebras", MODEL).usedRequests()).isEqualTo(3);
  }

  @Test
  void aSlowAnswerIsNotMistakenForANewWindow() {
    budgets(Duration.ofSeconds(10), new RateBudgets.Limit("cerebras", "*", 2, 0));
    RateGate.Permit first = budgets.acquire(CEREBRAS, MODEL, 1).join();
    RateGate.Permit second = budgets.acquire(CEREBRAS, MODEL, 1).join();
    first.responded(
        200,
        headers(
                "x-ratelimit-limit-requests-minute", "2",
                "x-ratelimit-remaining-requests-minute", "1",
                "x-ratelimit-reset-requests-minute", "5.0")
            ::get);
    // Arrives 2 s late: its window seems to end 2 s later than ours, still the same window.
    second.responded(
        200,
        headers(
                "x-ratelimit-limit-requests-minute", "2",
                "x-ratelimit-remaining-requests-minute", "0",
                "x-ratelimit-reset-requests-minute", "7.0")
            ::get);
    assertThat(budgets.acquire(CEREBRAS, MODEL, 1)).isNotDone();
    assertThat(budgets.snapshot("cerebras", MODEL).usedRequests()).isEqualTo(2);
  }

  @Test
  void cancelledWaitersAreSkipped() {
    budgets(Duration.ofMillis(500), new RateBudgets.Limit("cerebras", "*", 1, 0));
    budgets.acquire(CEREBRAS, MODEL, 1).join();
    CompletableFuture<RateGate.Permit> gaveUp = budgets.acquire(CEREBRAS, MODEL, 1);
    CompletableFuture<RateGate.Permit> next = budgets.acquire(CEREBRAS, MODEL, 1);
    gaveUp.cancel(true);
    await().atMost(Duration.ofSeconds(3)).until(next::isDone);
    assertThat(next).isNotCancelled();
    assertThat(budgets.snapshot("cerebras", MODEL).usedRequests()).isEqualTo(1);
  }

  @Test
  void badLimitsNameTheField() {
    assertThatThrownBy(() -> new RateBudgets.Limit("cerebras", "*", -1, 0))
        .hasMessageContaining("requests-per-minute of cerebras/* must be >= 0 but was -1");
    assertThatThrownBy(() -> new RateBudgets.Limit(" ", "*", 1, 0))
        .hasMessageContaining("provider must not be blank");
    assertThatThrownBy(
            () -> new RateBudgets(List.of(), Duration.ZERO, RateBudgets.Members.fixed(1), null))
        .hasMessageContaining("window must be >= 1 ms but was PT0S");
  }
}
