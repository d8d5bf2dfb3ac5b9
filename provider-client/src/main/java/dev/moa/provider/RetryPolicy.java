package dev.moa.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * When to retry a failed attempt and how long to wait first. Immutable; build with {@link
 * #builder()}.
 *
 * <p>A server's {@code retry-after-ms} (milliseconds) or else {@code retry-after} (seconds or an
 * HTTP date) is honoured as is, capped at {@code maxRetryAfter}; without them the wait is {@code
 * min(maxDelay, baseDelay * 2^(n-1)) * (1 - jitter * random)} after attempt {@code n} failed.
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULTS = builder().build();

  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final double jitter;
  private final Duration maxRetryAfter;

  private RetryPolicy(Builder b) {
    if (b.maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + b.maxAttempts);
    }
    requireNonNegative("baseDelay", b.baseDelay);
    requireNonNegative("maxDelay", b.maxDelay);
    requireNonNegative("maxRetryAfter", b.maxRetryAfter);
    if (b.maxDelay.compareTo(b.baseDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay must be >= baseDelay (" + b.baseDelay + ") but was " + b.maxDelay);
    }
    if (!(b.jitter >= 0.0 && b.jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be within [0, 1] but was " + b.jitter);
    }
    this.maxAttempts = b.maxAttempts;
    this.baseDelay = b.baseDelay;
    this.maxDelay = b.maxDelay;
    this.jitter = b.jitter;
    this.maxRetryAfter = b.maxRetryAfter;
  }

  private static void requireNonNegative(String field, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(field + " must be a duration >= 0 but was " + value);
    }
  }

  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .maxAttempts(maxAttempts)
        .baseDelay(baseDelay)
        .maxDelay(maxDelay)
        .jitter(jitter)
        .maxRetryAfter(maxRetryAfter);
  }

  /** Total attempts, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration baseDelay() {
    return baseDelay;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  public double jitter() {
    return jitter;
  }

  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  /**
   * The wait before the next attempt, or empty when there must be none: the cause is not retryable
   * or {@code attemptJustFailed} was the last allowed attempt.
   *
   * @param attemptJustFailed 1-based number of the attempt that failed
   * @param responseHeader header lookup of the failed response (returns null when absent); may
   *     itself be null when there was no response
   * @param random source for jitter
   */
  public Optional<Duration> delayBeforeRetry(
      int attemptJustFailed,
      ErrorClass cause,
      Function<String, String> responseHeader,
      RandomGenerator random) {
    return delayBeforeRetry(attemptJustFailed, cause, responseHeader, random, Clock.systemUTC());
  }

  /** As {@link #delayBeforeRetry(int, ErrorClass, Function, RandomGenerator)}, with a clock. */
  public Optional<Duration> delayBeforeRetry(
      int attemptJustFailed,
      ErrorClass cause,
      Function<String, String> responseHeader,
      RandomGenerator random,
      Clock clock) {
    if (attemptJustFailed < 1) {
      throw new IllegalArgumentException(
          "attemptJustFailed must be >= 1 but was " + attemptJustFailed);
    }
    Objects.requireNonNull(cause, "cause");
    if (!cause.retryable() || attemptJustFailed >= maxAttempts) {
      return Optional.empty();
    }
    if (responseHeader != null) {
      Optional<Duration> serverSaid = retryAfter(responseHeader, clock);
      if (serverSaid.isPresent()) {
        return serverSaid.map(d -> d.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : d);
      }
    }
    return Optional.of(backoff(attemptJustFailed, random));
  }

  private Duration backoff(int attemptJustFailed, RandomGenerator random) {
    // 2^(n-1) with the shift bounded so huge attempt numbers cannot overflow.
    int shift = Math.min(attemptJustFailed - 1, 40);
    double nanos =
        Math.min(
            (double) maxDelay.toNanos(), (double) baseDelay.toNanos() * (double) (1L << shift));
    double factor = 1.0 - jitter * Objects.requireNonNull(random, "random").nextDouble();
    return Duration.ofNanos((long) (nanos * factor));
  }

  private static Optional<Duration> retryAfter(Function<String, String> header, Clock clock) {
    String ms = header.apply("retry-after-ms");
    if (ms != null) {
      Optional<Duration> d = parseAmount(ms, 1_000_000L);
      if (d.isPresent()) {
        return d;
      }
    }
    String value = header.apply("retry-after");
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Optional<Duration> seconds = parseAmount(value, 1_000_000_000L);
    if (seconds.isPresent()) {
      return seconds;
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(clock.instant(), at.toInstant());
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Duration> parseAmount(String text, long nanosPerUnit) {
    try {
      double v = Double.parseDouble(text.strip());
      if (!Double.isFinite(v) || v < 0) {
        return Optional.empty();
      }
      // Clamp before converting: a silly header must not overflow Duration.
      double nanos = Math.min(v * nanosPerUnit, (double) Long.MAX_VALUE / 2);
      return Optional.of(Duration.ofNanos((long) nanos));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p
        && maxAttempts == p.maxAttempts
        && baseDelay.equals(p.baseDelay)
        && maxDelay.equals(p.maxDelay)
        && Double.compare(jitter, p.jitter) == 0
        && maxRetryAfter.equals(p.maxRetryAfter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, baseDelay, maxDelay, jitter, maxRetryAfter);
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts="
        + maxAttempts
        + ", baseDelay="
        + baseDelay
        + ", maxDelay="
        + maxDelay
        + ", jitter="
        + jitter
        + ", maxRetryAfter="
        + maxRetryAfter
        + "]";
  }

  /** Builder with the defaults: 4 attempts, 250 ms base, 20 s max, jitter 0.5, 60 s cap. */
  public static final class Builder {
    private int maxAttempts = 4;
    private Duration baseDelay = Duration.ofMillis(250);
    private Duration maxDelay = Duration.ofSeconds(20);
    private double jitter = 0.5;
    private Duration maxRetryAfter = Duration.ofSeconds(60);

    private Builder() {}

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder baseDelay(Duration baseDelay) {
      this.baseDelay = baseDelay;
      return this;
    }

    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
      return this;
    }

    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the field and value when one is invalid
     */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
