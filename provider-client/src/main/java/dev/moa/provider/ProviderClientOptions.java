package dev.moa.provider;

import java.time.Duration;

/**
 * Settings of a {@link ProviderClient}.
 *
 * @param maxConnections connection-pool size per remote host
 * @param connectTimeout TCP connect timeout
 * @param idleTimeout longest wait for the first response byte and between stream chunks
 * @param callTimeout bound on a whole call, retries and waits included (the rate gate's wait before
 *     the first attempt excepted)
 * @param rateGate the budget every attempt reserves from first ({@link RateGate#none()}: none)
 * @param circuitBreaker the breaker of each provider
 */
public record ProviderClientOptions(
    int maxConnections,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration callTimeout,
    RetryPolicy retryPolicy,
    RetryListener retryListener,
    RateGate rateGate,
    CircuitBreakerSettings circuitBreaker) {

  public ProviderClientOptions {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1 but was " + maxConnections);
    }
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("idleTimeout", idleTimeout);
    requirePositive("callTimeout", callTimeout);
    if (retryPolicy == null) {
      throw new IllegalArgumentException("retryPolicy must not be null but was null");
    }
    if (retryListener == null) {
      throw new IllegalArgumentException("retryListener must not be null but was null");
    }
    if (rateGate == null) {
      throw new IllegalArgumentException("rateGate must not be null but was null");
    }
    if (circuitBreaker == null) {
      throw new IllegalArgumentException("circuitBreaker must not be null but was null");
    }
  }

  private static void requirePositive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be a duration > 0 but was " + value);
    }
  }

  public static ProviderClientOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .maxConnections(maxConnections)
        .connectTimeout(connectTimeout)
        .idleTimeout(idleTimeout)
        .callTimeout(callTimeout)
        .retryPolicy(retryPolicy)
        .retryListener(retryListener)
        .rateGate(rateGate)
        .circuitBreaker(circuitBreaker);
  }

  /** Builder with the defaults: 4096 connections, 5 s connect, 60 s idle, 10 min per call. */
  public static final class Builder {
    private int maxConnections = 4096;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration callTimeout = Duration.ofMinutes(10);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private RetryListener retryListener = RetryListener.none();
    private RateGate rateGate = RateGate.none();
    private CircuitBreakerSettings circuitBreaker = CircuitBreakerSettings.defaults();

    private Builder() {}

    public Builder maxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = callTimeout;
      return this;
    }

    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = retryPolicy;
      return this;
    }

    public Builder retryListener(RetryListener retryListener) {
      this.retryListener = retryListener;
      return this;
    }

    public Builder rateGate(RateGate rateGate) {
      this.rateGate = rateGate;
      return this;
    }

    public Builder circuitBreaker(CircuitBreakerSettings circuitBreaker) {
      this.circuitBreaker = circuitBreaker;
      return this;
    }

    public ProviderClientOptions build() {
      return new ProviderClientOptions(
          maxConnections,
          connectTimeout,
          idleTimeout,
          callTimeout,
          retryPolicy,
          retryListener,
          rateGate,
          circuitBreaker);
    }
  }
}
