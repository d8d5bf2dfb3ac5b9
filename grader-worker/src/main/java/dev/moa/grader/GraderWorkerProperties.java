package dev.moa.grader;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.grader-worker.*}.
 *
 * @param concurrency consumer threads
 */
@ConfigurationProperties("moa.grader-worker")
public record GraderWorkerProperties(Integer concurrency) {

  public GraderWorkerProperties {
    concurrency = concurrency == null ? 1 : concurrency;
    if (concurrency < 1) {
      throw new IllegalArgumentException(
          "moa.grader-worker.concurrency must be >= 1 but was " + concurrency);
    }
  }
}
