package dev.moa.graderworker;

import dev.moa.graders.BwrapSandbox;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.grader-worker.*}.
 *
 * @param concurrency consumers of {@code moa.answers}, each on its own thread (they only hand
 *     answers out; grading runs on the grading threads)
 * @param gradingThreads answers graded at once (sandboxed gradings are CPU-bound: default one per
 *     core, at least 2; see docs/decisions/010)
 * @param maxInFlight the most answers one consumer has received and not yet finished (graded and
 *     the grade acknowledged by Kafka); at this count it stops fetching until one finishes
 * @param drainTimeout on shutdown, how long in-flight gradings may take to finish and commit
 * @param sandbox the sandbox pool for code gradings
 * @param judge the model behind the {@code judge} grader; without base-url and model, judge
 *     gradings are errors
 */
@ConfigurationProperties("moa.grader-worker")
public record GraderWorkerProperties(
    Integer concurrency,
    Integer gradingThreads,
    Integer maxInFlight,
    Duration drainTimeout,
    Sandbox sandbox,
    Judge judge) {

  public GraderWorkerProperties {
    concurrency = concurrency == null ? 1 : concurrency;
    gradingThreads = gradingThreads == null ? BwrapSandbox.defaultPoolSize() : gradingThreads;
    maxInFlight = maxInFlight == null ? 64 : maxInFlight;
    drainTimeout = drainTimeout == null ? Duration.ofSeconds(30) : drainTimeout;
    sandbox = sandbox == null ? new Sandbox(null, null, null) : sandbox;
    judge = judge == null ? new Judge(null, null, null, null, null, null, null, null) : judge;
    atLeast("concurrency", concurrency, 1);
    atLeast("grading-threads", gradingThreads, 1);
    atLeast("max-in-flight", maxInFlight, 1);
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "moa.grader-worker.drain-timeout must be >= 0 but was " + drainTimeout);
    }
  }

  /** Sandboxes the grading threads can use at once: the pool size, else the grading threads. */
  public int sandboxPoolSize() {
    return sandbox.poolSize() != null ? sandbox.poolSize() : gradingThreads;
  }

  static void atLeast(String name, Integer value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(
          "moa.grader-worker." + name + " must be >= " + min + " but was " + value);
    }
  }

  /**
   * {@code moa.grader-worker.sandbox.*}.
   *
   * @param poolSize warm sandboxes (default: the grading threads)
   * @param wallTimeout wall-clock limit of one sandboxed grading (default 10 s)
   * @param maxUses gradings one sandbox serves (default 1: every grading in its own bubblewrap
   *     process; more reuses a cleaned sandbox for throughput, decision 009)
   */
  public record Sandbox(Integer poolSize, Duration wallTimeout, Integer maxUses) {
    public Sandbox {
      maxUses = maxUses == null ? BwrapSandbox.DEFAULT_MAX_USES : maxUses;
      atLeast("sandbox.max-uses", maxUses, 1);
      wallTimeout =
          wallTimeout == null ? Duration.ofMillis(BwrapSandbox.DEFAULT_WALL_MILLIS) : wallTimeout;
      if (poolSize != null) {
        atLeast("sandbox.pool-size", poolSize, 1);
      }
      if (wallTimeout.toMillis() < 1) {
        throw new IllegalArgumentException(
            "moa.grader-worker.sandbox.wall-timeout must be > 0 but was " + wallTimeout);
      }
    }
  }

  /**
   * {@code moa.grader-worker.judge.*}: an OpenAI-compatible endpoint for the {@code judge} grader.
   *
   * @param baseUrl e.g. {@code https://api.cerebras.ai/v1} or the simulator's URL
   * @param model default judge model (a sample's {@code model} option overrides it)
   * @param apiKeyEnv NAME of the environment variable holding the API key (none: no key sent); the
   *     key itself never appears in configuration or logs
   * @param provider provider name for errors and metrics (default {@code judge})
   * @param temperature sampling temperature, 0..2 (default 0: the most repeatable verdicts)
   * @param maxTokens default reply budget (default 1024; a sample's {@code max_tokens} overrides)
   * @param timeout bound on one judge call, retries included (default 2 min)
   * @param concurrency judge calls at once (default 16); they wait on the network, not the CPU, so
   *     they do not take grading threads
   */
  public record Judge(
      String baseUrl,
      String model,
      String apiKeyEnv,
      String provider,
      Double temperature,
      Integer maxTokens,
      Duration timeout,
      Integer concurrency) {

    public Judge {
      baseUrl = blankToNull(baseUrl);
      model = blankToNull(model);
      apiKeyEnv = blankToNull(apiKeyEnv);
      provider = blankToNull(provider) == null ? "judge" : provider.strip();
      temperature = temperature == null ? 0.0 : temperature;
      maxTokens = maxTokens == null ? 1024 : maxTokens;
      timeout = timeout == null ? Duration.ofMinutes(2) : timeout;
      concurrency = concurrency == null ? 16 : concurrency;
      if (baseUrl != null && model == null) {
        throw new IllegalArgumentException(
            "moa.grader-worker.judge.model must be set when moa.grader-worker.judge.base-url is"
                + " (base-url was '"
                + baseUrl
                + "')");
      }
      if (model != null && baseUrl == null) {
        throw new IllegalArgumentException(
            "moa.grader-worker.judge.base-url must be set when moa.grader-worker.judge.model is"
                + " (model was '"
                + model
                + "')");
      }
      if (baseUrl != null) {
        URI uri;
        try {
          uri = URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "moa.grader-worker.judge.base-url is not a URL: '" + baseUrl + "'", e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            || uri.getHost() == null) {
          throw new IllegalArgumentException(
              "moa.grader-worker.judge.base-url must be an http(s) URL but was '" + baseUrl + "'");
        }
      }
      if (apiKeyEnv != null && !apiKeyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException(
            "moa.grader-worker.judge.api-key-env must be the NAME of an environment variable"
                + " (letters, digits, _) but was '"
                + apiKeyEnv
                + "'");
      }
      if (!(temperature >= 0 && temperature <= 2)) {
        throw new IllegalArgumentException(
            "moa.grader-worker.judge.temperature must be within 0..2 but was " + temperature);
      }
      atLeast("judge.max-tokens", maxTokens, 1);
      atLeast("judge.concurrency", concurrency, 1);
      if (timeout.toMillis() < 1) {
        throw new IllegalArgumentException(
            "moa.grader-worker.judge.timeout must be > 0 but was " + timeout);
      }
    }

    /** True when base-url and model are set. */
    public boolean configured() {
      return baseUrl != null;
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s.strip();
    }
  }
}
