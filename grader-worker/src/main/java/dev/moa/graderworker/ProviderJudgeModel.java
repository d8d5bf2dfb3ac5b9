package dev.moa.graderworker;

import dev.moa.graders.JudgeModel;
import dev.moa.provider.CallOutcome;
import dev.moa.provider.ChatMessage;
import dev.moa.provider.ChatRequest;
import dev.moa.provider.Endpoint;
import dev.moa.provider.ProviderClient;
import dev.moa.runtime.model.ModelCallMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The judge model over the project's provider client: one streamed chat completion per grading,
 * with the client's retries and timeouts. The API key comes from the environment variable NAMED in
 * the configuration and is never printed ({@link Endpoint#toString()} masks it, the client redacts
 * it from error messages).
 */
public final class ProviderJudgeModel implements JudgeModel {

  /** Extra wait beyond the client's own call timeout, so the client reports the timeout. */
  private static final Duration SLACK = Duration.ofSeconds(5);

  private final ProviderClient client;
  private final Endpoint endpoint;
  private final String defaultModel;
  private final double temperature;
  private final int defaultMaxTokens;
  private final Duration timeout;
  private final ModelCallMetrics metrics;

  public ProviderJudgeModel(
      ProviderClient client,
      Endpoint endpoint,
      String defaultModel,
      double temperature,
      int defaultMaxTokens,
      Duration timeout) {
    this(client, endpoint, defaultModel, temperature, defaultMaxTokens, timeout, null);
  }

  /**
   * @param metrics records every judge call with the GenAI metrics, tagged {@code moa.agent} =
   *     {@code moa.layer} = {@code judge}; null for none
   */
  public ProviderJudgeModel(
      ProviderClient client,
      Endpoint endpoint,
      String defaultModel,
      double temperature,
      int defaultMaxTokens,
      Duration timeout,
      ModelCallMetrics metrics) {
    this.metrics = metrics;
    this.client = Objects.requireNonNull(client, "client");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.defaultModel = Objects.requireNonNull(defaultModel, "defaultModel");
    this.temperature = temperature;
    this.defaultMaxTokens = defaultMaxTokens;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * The judge of {@code props}.
   *
   * @param env environment lookup, e.g. {@code System::getenv}
   * @throws IllegalStateException when {@code api-key-env} names a variable that is unset or blank
   *     (the message names the variable, never a value)
   */
  public static ProviderJudgeModel of(
      GraderWorkerProperties.Judge props, ProviderClient client, Function<String, String> env) {
    return of(props, client, env, null);
  }

  /** The judge of {@code props}, its calls recorded in {@code metrics} (null for none). */
  public static ProviderJudgeModel of(
      GraderWorkerProperties.Judge props,
      ProviderClient client,
      Function<String, String> env,
      ModelCallMetrics metrics) {
    if (!props.configured()) {
      throw new IllegalArgumentException("the judge is not configured");
    }
    String key = null;
    if (props.apiKeyEnv() != null) {
      key = env.apply(props.apiKeyEnv());
      if (key == null || key.isBlank()) {
        throw new IllegalStateException(
            "moa.grader-worker.judge.api-key-env names the environment variable "
                + props.apiKeyEnv()
                + ", which is not set or blank");
      }
    }
    return new ProviderJudgeModel(
        client,
        new Endpoint(props.provider(), props.baseUrl(), key),
        props.model(),
        props.temperature(),
        props.maxTokens(),
        props.timeout(),
        metrics);
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public String reply(List<Message> messages, String model, Integer maxTokens) throws Exception {
    ChatRequest request =
        new ChatRequest(
            model != null ? model : defaultModel,
            messages.stream().map(m -> new ChatMessage(m.role(), m.content())).toList(),
            temperature,
            maxTokens != null ? maxTokens : defaultMaxTokens,
            null);
    CompletableFuture<CallOutcome> call = client.chat(endpoint, request, null);
    CompletableFuture<CallOutcome> observed =
        metrics == null
            ? call
            : metrics.observe(
                ModelCallMetrics.CallTags.judge(request.model(), endpoint.providerName()),
                () -> call);
    CallOutcome outcome;
    try {
      outcome = observed.get(timeout.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new JudgeCallException(
          endpoint.providerName() + " did not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      call.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      throw new JudgeCallException(endpoint.providerName() + ": " + e.getCause());
    }
    if (outcome instanceof CallOutcome.Succeeded s) {
      return s.content();
    }
    CallOutcome.Failed f = (CallOutcome.Failed) outcome;
    throw new JudgeCallException(f.errorClass().wireName() + ": " + f.message());
  }

  @Override
  public String modelName(String override) {
    return override != null ? override : defaultModel;
  }

  /** A judge call that produced no reply. */
  static final class JudgeCallException extends Exception {
    JudgeCallException(String message) {
      super(message);
    }
  }
}
