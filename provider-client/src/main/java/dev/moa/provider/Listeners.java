package dev.moa.provider;

/** Shared no-op listeners. */
final class Listeners {
  static final StreamListener NO_STREAM = new StreamListener() {};
  static final RetryListener NO_RETRY = (endpoint, model, attempt, cause, delay) -> {};

  private Listeners() {}
}
