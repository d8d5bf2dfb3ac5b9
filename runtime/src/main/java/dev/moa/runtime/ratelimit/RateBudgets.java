package dev.moa.runtime.ratelimit;

import dev.moa.provider.Endpoint;
import dev.moa.provider.RateGate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate budget of each provider and model (requests and tokens per window), shared by the
 * workers of a group: a {@link RateGate} for the {@code ProviderClient}. See
 * docs/decisions/022-shared-rate-budget.md.
 *
 * <p><b>Sharing.</b> A budget belongs to a provider key and a model ({@code Endpoint#limitKey}: the
 * provider, a digest of its URL and API key). Each process spends at most {@code limit / members}
 * requests and tokens per window, {@code members} being the live processes calling that model with
 * that key ({@link ModelMembers}: agent workers, aggregators, grader workers with a judge); and
 * never more than the provider's own {@code x-ratelimit-remaining-*} headers say is left, less what
 * it reserved since it last heard them. No coordination between workers is needed.
 *
 * <p><b>Windows.</b> A window lasts {@code window} (a minute; shorter when a test time-scales it)
 * and is aligned to the provider's by its {@code x-ratelimit-reset-*} headers (see {@code align}).
 * Limits come from configuration and are replaced by the provider's {@code x-ratelimit-limit-*}
 * headers when it sends them. Until a provider and model without configured limits has answered
 * once, one attempt at a time goes (a probe: its headers may bring limits); when it answers without
 * limit headers, it has no budget and every call goes at once.
 *
 * <p><b>Reservations.</b> Every attempt (retries too) reserves one request and its tokens (input
 * estimate + max tokens, as Cerebras counts them) before it is sent, or waits, in order of arrival,
 * until the window rolls over; in a window's last twentieth it waits for the next one (sent that
 * late, it might arrive there). A 429 gives its reservation back and pauses the whole budget for
 * the retry-after it names.
 *
 * <p>Never blocks a caller: waiting attempts are futures completed by one scheduler thread.
 */
public final class RateBudgets implements RateGate, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RateBudgets.class);
  private static final long MEMBERS_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * A configured limit.
   *
   * @param model a model name, or {@code *} for every model of the provider
   * @param requests requests per window, 0 = none
   * @param tokens tokens per window, 0 = none
   */
  public record Limit(String provider, String model, long requests, long tokens) {
    public Limit {
      if (provider == null || provider.isBlank()) {
        throw new IllegalArgumentException("provider must not be blank but was '" + provider + "'");
      }
      model = model == null || model.isBlank() ? "*" : model;
      if (requests < 0) {
        throw new IllegalArgumentException(
            "requests-per-minute of "
                + provider
                + "/"
                + model
                + " must be >= 0 but was "
                + requests);
      }
      if (tokens < 0) {
        throw new IllegalArgumentException(
            "tokens-per-minute of " + provider + "/" + model + " must be >= 0 but was " + tokens);
      }
    }
  }

  /** Told how long an attempt waited for its budget (only when it did wait). */
  @FunctionalInterface
  public interface WaitListener {
    void waited(String provider, String model, Duration wait);
  }

  private final List<Limit> limits;
  private final long windowNanos;
  private final Members members;
  private final WaitListener waits;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

  /**
   * @param window the length of the provider's rate-limit window (a minute)
   * @param members how many processes share each provider's and model's limits
   */
  public RateBudgets(List<Limit> limits, Duration window, Members members, WaitListener waits) {
    this(
        limits,
        window,
        members,
        waits,
        System::nanoTime,
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "moa-ratelimit");
              t.setDaemon(true);
              return t;
            }));
  }

  /** How many processes share a provider's and model's limits (at least 1 is assumed). */
  @FunctionalInterface
  public interface Members {
    /**
     * Asked before each reservation for this provider and model; must not block. 0 = not known yet:
     * the reservation waits and asks again shortly.
     */
    int count(String provider, String model);

    /** The same count for every model (a configured number of processes, or tests). */
    static Members fixed(int members) {
      int m = Math.max(1, members);
      return (provider, model) -> m;
    }
  }

  /**
   * @param nanoTime the clock windows, pauses and waits are measured with
   * @param scheduler runs the budgets' looks at their queues, delays measured by {@code nanoTime};
   *     shut down by {@link #close()}
   */
  RateBudgets(
      List<Limit> limits,
      Duration window,
      Members members,
      WaitListener waits,
      LongSupplier nanoTime,
      ScheduledExecutorService scheduler) {
    this.limits = List.copyOf(limits);
    if (window == null || window.toMillis() < 1) {
      throw new IllegalArgumentException("window must be >= 1 ms but was " + window);
    }
    this.windowNanos = window.toNanos();
    this.members = Objects.requireNonNull(members, "members");
    this.waits = waits == null ? (p, m, d) -> {} : waits;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  @Override
  public CompletableFuture<Permit> acquire(Endpoint endpoint, String model, long tokens) {
    String account = endpoint.limitKey();
    Budget b =
        budgets.computeIfAbsent(
            account + '\u0000' + model, k -> new Budget(endpoint.providerName(), account, model));
    return b.acquire(Math.max(0, tokens));
  }

  /**
   * A snapshot of a provider's budget for a model (the first, if the provider is used with several
   * keys), for tests and logs; null when it has not been used.
   */
  public Snapshot snapshot(String provider, String model) {
    for (Budget b : budgets.values()) {
      if (b.provider.equals(provider) && b.model.equals(model)) {
        return b.snapshot();
      }
    }
    return null;
  }

  /**
   * One budget's state.
   *
   * @param serverRemainingTokens the provider's last {@code x-ratelimit-remaining-tokens-minute} in
   *     this window, -1 when unknown
   */
  public record Snapshot(
      long limitRequests,
      long limitTokens,
      int members,
      long usedRequests,
      long usedTokens,
      long serverRemainingTokens,
      int waiting,
      boolean paused) {}

  @Override
  public void close() {
    scheduler.shutdownNow();
    budgets.values().forEach(Budget::failWaiters);
  }

  private Limit configured(String provider, String model) {
    Limit any = null;
    for (Limit l : limits) {
      if (l.provider().equals(provider)) {
        if (l.model().equals(model)) {
          return l;
        }
        if (l.model().equals("*")) {
          any = l;
        }
      }
    }
    return any;
  }

  private record Waiter(CompletableFuture<Permit> future, long tokens, long since) {}

  /** One provider and model. All state is guarded by the budget's monitor. */
  private final class Budget {
    final String provider;
    final String account; // Endpoint#limitKey: whose limits these are
    final String model;
    long limitRequests;
    long limitTokens;
    long windowEnd; // 0 = no window yet
    boolean aligned; // windowEnd came from the provider's reset header
    long usedRequests;
    long usedTokens;
    long serverRemainingRequests = -1;
    long serverRemainingTokens = -1;
    long sinceRequests;
    long sinceTokens;
    long pausedUntil;
    long recheckAt; // the member count was not known yet: pump again then
    boolean learned; // a response was seen, or limits are configured
    boolean probing; // the one attempt before anything was learned is out
    final Deque<Waiter> queue = new ArrayDeque<>();
    ScheduledFuture<?> pump;
    long pumpAt;

    Budget(String provider, String account, String model) {
      this.provider = provider;
      this.account = account;
      this.model = model;
      Limit l = configured(provider, model);
      if (l != null) {
        limitRequests = l.requests();
        limitTokens = l.tokens();
      }
      learned = limited();
    }

    boolean limited() {
      return limitRequests > 0 || limitTokens > 0;
    }

    CompletableFuture<Permit> acquire(long tokens) {
      synchronized (this) {
        long now = nanoTime.getAsLong();
        if (queue.isEmpty() && tryReserve(tokens, now)) {
          return CompletableFuture.completedFuture(new BudgetPermit(this, tokens));
        }
        CompletableFuture<Permit> f = new CompletableFuture<>();
        queue.addLast(new Waiter(f, tokens, now));
        schedulePump(now);
        return f;
      }
    }

    /** Reserves when the budget allows; caller holds the monitor. */
    private boolean tryReserve(long tokens, long now) {
      if (!limited()) {
        if (learned) {
          return true;
        }
        if (probing) {
          return false;
        }
        probing = true;
        return true;
      }
      if (now < pausedUntil) {
        return false;
      }
      roll(now);
      if (aligned && windowEnd - now < windowNanos / 20) {
        // Sent this late, it could reach the provider in its next window, whose share counts from
        // zero here: reserve it there instead.
        return false;
      }
      int m = members.count(account, model);
      if (m <= 0) {
        // Not counted yet: ask again shortly (see Members#count).
        recheckAt = now + MEMBERS_RECHECK_NANOS;
        return false;
      }
      long shareRequests = limitRequests > 0 ? Math.max(1, limitRequests / m) : Long.MAX_VALUE;
      long shareTokens = limitTokens > 0 ? limitTokens / m : Long.MAX_VALUE;
      if (usedRequests + 1 > shareRequests) {
        return false;
      }
      // A request bigger than the whole share still goes, alone, at the start of a window.
      if (usedRequests > 0 && usedTokens + tokens > shareTokens) {
        return false;
      }
      if (serverRemainingRequests >= 0 && serverRemainingRequests - sinceRequests < 1) {
        return false;
      }
      if (serverRemainingTokens >= 0 && serverRemainingTokens - sinceTokens < tokens) {
        return false;
      }
      usedRequests++;
      usedTokens += tokens;
      sinceRequests++;
      sinceTokens += tokens;
      if (log.isDebugEnabled()) {
        log.debug(
            "provider={} model={}: reserved {} tokens, {} requests / {} tokens of a share of {} / {}"
                + " ({} members), window ends in {} ms, server remaining {} / {}",
            provider,
            model,
            tokens,
            usedRequests,
            usedTokens,
            shareRequests,
            shareTokens,
            m,
            (windowEnd - now) / 1_000_000,
            serverRemainingRequests - sinceRequests + 1,
            serverRemainingTokens - sinceTokens + tokens);
      }
      return true;
    }

    private void roll(long now) {
      if (windowEnd == 0) {
        windowEnd = now + windowNanos;
      } else if (now >= windowEnd) {
        long behind = (now - windowEnd) / windowNanos + 1;
        windowEnd += behind * windowNanos;
        newWindow();
      }
    }

    private void newWindow() {
      usedRequests = 0;
      usedTokens = 0;
      serverRemainingRequests = -1;
      serverRemainingTokens = -1;
      sinceRequests = 0;
      sinceTokens = 0;
    }

    /** Grants waiters in order while the budget allows; caller holds the monitor. */
    private List<Runnable> drain(long now) {
      List<Runnable> grants = new ArrayList<>();
      while (!queue.isEmpty()) {
        Waiter w = queue.peekFirst();
        if (w.future().isDone()) { // cancelled: the call gave up
          queue.pollFirst();
          continue;
        }
        if (!tryReserve(w.tokens(), now)) {
          break;
        }
        queue.pollFirst();
        BudgetPermit p = new BudgetPermit(this, w.tokens());
        long waited = now - w.since();
        grants.add(
            () -> {
              if (!w.future().complete(p)) {
                p.giveBack(); // cancelled meanwhile
              } else if (waited > 0) {
                waits.waited(provider, model, Duration.ofNanos(waited));
              }
            });
      }
      return grants;
    }

    private void pump() {
      List<Runnable> grants;
      synchronized (this) {
        pump = null;
        long now = nanoTime.getAsLong();
        grants = drain(now);
        if (!queue.isEmpty()) {
          schedulePump(now);
        }
      }
      grants.forEach(RateBudgets::runQuietly);
    }

    /** Schedules the next look at the queue: when the pause or the window ends. */
    private void schedulePump(long now) {
      if (queue.isEmpty() || scheduler.isShutdown()) {
        return;
      }
      if (!limited() && !learned) {
        return; // the probe's answer drains the queue
      }
      long at;
      if (now < pausedUntil) {
        at = pausedUntil;
      } else if (recheckAt > now) {
        at = recheckAt; // the member count may be known by then
      } else {
        at = windowEnd == 0 ? now : windowEnd;
      }
      at = Math.max(at, now) + TimeUnit.MILLISECONDS.toNanos(1);
      if (pump != null && !pump.isDone()) {
        if (pumpAt <= at) {
          return;
        }
        pump.cancel(false);
      }
      pumpAt = at;
      try {
        pump = scheduler.schedule(this::pump, at - now, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        pump = null; // closing
      }
    }

    void responded(long tokens, int status, Function<String, String> header) {
      List<Runnable> grants;
      synchronized (this) {
        long now = nanoTime.getAsLong();
        long limitReq = number(header, "x-ratelimit-limit-requests-minute");
        long limitTok = number(header, "x-ratelimit-limit-tokens-minute");
        if (limitReq > 0) {
          limitRequests = limitReq;
        }
        if (limitTok > 0) {
          limitTokens = limitTok;
        }
        learned = true;
        probing = false;
        if (!limited()) {
          grants = drain(now);
        } else {
          grants = update(tokens, status, header, now);
        }
      }
      grants.forEach(RateBudgets::runQuietly);
    }

    /** The probe got no answer: let the next attempt probe. */
    void probeLost() {
      List<Runnable> grants;
      synchronized (this) {
        if (learned || !probing) {
          return;
        }
        probing = false;
        grants = drain(nanoTime.getAsLong());
      }
      grants.forEach(RateBudgets::runQuietly);
    }

    private List<Runnable> update(
        long tokens, int status, Function<String, String> header, long now) {
      List<Runnable> grants;
      {
        double reset = seconds(header, "x-ratelimit-reset-tokens-minute");
        if (reset < 0) {
          reset = seconds(header, "x-ratelimit-reset-requests-minute");
        }
        boolean stale = false;
        if (reset >= 0) {
          stale = !align(now + (long) (reset * 1e9), now);
        } else {
          roll(now);
        }
        long remReq = number(header, "x-ratelimit-remaining-requests-minute");
        long remTok = number(header, "x-ratelimit-remaining-tokens-minute");
        if (!stale && (remReq >= 0 || remTok >= 0)) {
          serverRemainingRequests = remReq;
          serverRemainingTokens = remTok;
          sinceRequests = 0;
          sinceTokens = 0;
        }
        if (status == 429) {
          giveBackLocked(tokens);
          Duration pause = retryAfter(header);
          if (pause != null) {
            pausedUntil = Math.max(pausedUntil, now + pause.toNanos());
            log.debug(
                "provider={} model={}: 429, budget paused for {} ms",
                provider,
                model,
                pause.toMillis());
          }
        }
        grants = drain(now);
        if (!queue.isEmpty()) {
          if (pump != null) {
            pump.cancel(false);
            pump = null;
          }
          schedulePump(now);
        }
      }
      return grants;
    }

    /**
     * Aligns the window's end with the provider's. The first answer sets it; from then on windows
     * roll by this worker's clock, a window apart, and an answer only refines the end when its own
     * (arrival + reset, never earlier than the true end) lies within a twentieth of a window of
     * ours; the earlier of the two is kept. An answer further off is slow or from another window:
     * its remaining counts are not this window's and are ignored (returns false). Moving the end by
     * a slow answer could start a window early and spend a share twice; keeping a late end only
     * starts windows a little late.
     */
    private boolean align(long serverEnd, long now) {
      if (!aligned) {
        windowEnd = serverEnd;
        aligned = true;
        roll(now);
        return true;
      }
      long tolerance = Math.max(TimeUnit.MILLISECONDS.toNanos(20), windowNanos / 20);
      if (Math.abs(serverEnd - windowEnd) > tolerance) {
        roll(now);
        return false;
      }
      windowEnd = Math.min(windowEnd, serverEnd);
      roll(now);
      return true;
    }

    synchronized void giveBack(long tokens) {
      giveBackLocked(tokens);
    }

    private void giveBackLocked(long tokens) {
      usedRequests = Math.max(0, usedRequests - 1);
      usedTokens = Math.max(0, usedTokens - tokens);
    }

    synchronized Snapshot snapshot() {
      return new Snapshot(
          limitRequests,
          limitTokens,
          members.count(account, model),
          usedRequests,
          usedTokens,
          serverRemainingTokens,
          queue.size(),
          nanoTime.getAsLong() < pausedUntil);
    }

    void failWaiters() {
      List<Waiter> left;
      synchronized (this) {
        left = new ArrayList<>(queue);
        queue.clear();
      }
      // The client is closing too; let the calls go rather than hang.
      left.forEach(w -> w.future().complete(new BudgetPermit(this, 0)));
    }
  }

  private static void runQuietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("rate budget grant failed", e);
    }
  }

  private static long number(Function<String, String> header, String name) {
    String v = header == null ? null : header.apply(name);
    if (v == null) {
      return -1;
    }
    try {
      return Math.max(0, (long) Double.parseDouble(v.strip()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static double seconds(Function<String, String> header, String name) {
    String v = header == null ? null : header.apply(name);
    if (v == null) {
      return -1;
    }
    try {
      double d = Double.parseDouble(v.strip());
      return Double.isFinite(d) && d >= 0 ? d : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code retry-after-ms}, else {@code retry-after} in seconds; null when neither parses. */
  static Duration retryAfter(Function<String, String> header) {
    double ms = seconds(header, "retry-after-ms");
    if (ms >= 0) {
      return Duration.ofNanos((long) (Math.min(ms, 3_600_000) * 1e6));
    }
    double s = seconds(header, "retry-after");
    return s >= 0 ? Duration.ofNanos((long) (Math.min(s, 3600) * 1e9)) : null;
  }

  /** One reserved attempt. */
  private static final class BudgetPermit implements Permit {
    private final Budget budget;
    private final long tokens;

    BudgetPermit(Budget budget, long tokens) {
      this.budget = budget;
      this.tokens = tokens;
    }

    @Override
    public void responded(int status, Function<String, String> header) {
      budget.responded(tokens, status, header);
    }

    @Override
    public void noResponse() {
      // The provider may or may not have counted it: keep the reservation.
      budget.probeLost();
    }

    void giveBack() {
      budget.giveBack(tokens);
    }
  }
}
