package dev.moa.runtime.model;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.CallError;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.CallTimings;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.AvroTrust;
import dev.moa.provider.CallOutcome;
import dev.moa.provider.ChatMessage;
import dev.moa.provider.ChatRequest;
import dev.moa.provider.Endpoint;
import dev.moa.provider.ErrorClass;
import dev.moa.runtime.metrics.MetricNames;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Conversions between the wire contract (AgentTask, AgentResult, AgentOutput) and the provider
 * client (ChatRequest, Endpoint, CallOutcome). Pure functions, no I/O.
 */
public final class TaskCalls {

  public static final double MAX_TEMPERATURE = 2.0;

  static {
    // Builders fill enum and record defaults through Avro's class check: trust our records.
    AvroTrust.install();
  }

  private TaskCalls() {}

  /**
   * Checks the values a call needs.
   *
   * @throws InvalidTaskException naming the first impossible field and its value
   */
  public static void validate(AgentTask task) {
    Objects.requireNonNull(task, "task");
    if (task.getMessages() == null || task.getMessages().isEmpty()) {
      throw invalid(task, "messages must not be empty but was " + task.getMessages());
    }
    if (isBlank(task.getModel())) {
      throw invalid(task, "model must not be blank but was '" + task.getModel() + "'");
    }
    if (task.getMaxTokens() < 1) {
      throw invalid(task, "max_tokens must be >= 1 but was " + task.getMaxTokens());
    }
    double t = task.getTemperature();
    if (!(t >= 0 && t <= MAX_TEMPERATURE)) {
      throw invalid(task, "temperature must be within 0..2 but was " + t);
    }
    ProviderRef p = task.getProvider();
    if (p == null) {
      throw invalid(task, "provider must be set but was null");
    }
    if (isBlank(p.getName())) {
      throw invalid(task, "provider.name must not be blank but was '" + p.getName() + "'");
    }
    if (isBlank(p.getBaseUrl())) {
      throw invalid(task, "provider.base_url must not be blank but was '" + p.getBaseUrl() + "'");
    }
  }

  private static InvalidTaskException invalid(AgentTask task, String problem) {
    return new InvalidTaskException("task " + task.getTaskId() + ": " + problem);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /** The chat request of a (valid) task. */
  public static ChatRequest toChatRequest(AgentTask task) {
    List<ChatMessage> messages =
        task.getMessages().stream().map(m -> new ChatMessage(m.getRole(), m.getContent())).toList();
    return new ChatRequest(
        task.getModel(), messages, task.getTemperature(), task.getMaxTokens(), task.getSeed());
  }

  /**
   * Where the call goes. The key is read from the environment variable named by {@code
   * api_key_env}; no name means no key.
   *
   * @param env variable lookup, e.g. {@code System::getenv}
   * @throws MissingApiKeyException when the named variable is unset or blank
   */
  public static Endpoint endpointFor(ProviderRef provider, Function<String, String> env) {
    String variable = provider.getApiKeyEnv();
    String key = null;
    if (!isBlank(variable)) {
      key = env.apply(variable);
      if (isBlank(key)) {
        throw new MissingApiKeyException(provider.getName(), variable);
      }
    }
    return new Endpoint(provider.getName(), provider.getBaseUrl(), key);
  }

  /** The result of a call that was made. */
  public static AgentResult toResult(
      AgentTask task, CallOutcome outcome, Clock clock, int attempt) {
    AgentResult.Builder b = resultBuilder(task, clock, attempt).setTimings(toTimings(outcome));
    if (outcome instanceof CallOutcome.Succeeded s) {
      return b.setStatus(CallStatus.SUCCEEDED)
          .setContent(s.content())
          .setUsage(new Usage(s.usage().promptTokens(), s.usage().completionTokens()))
          .setFinishReason(s.finishReason())
          .build();
    }
    CallOutcome.Failed f = (CallOutcome.Failed) outcome;
    return b.setStatus(CallStatus.FAILED).setError(callError(f)).build();
  }

  /**
   * The SUCCEEDED result of a task served from the response cache: the cached content, usage and
   * finish reason, {@code cached = true}, and zero timings (no attempt was made).
   */
  public static AgentResult cachedResult(AgentTask task, CachedResponse cached, Clock clock) {
    return resultBuilder(task, clock, task.getAttempt())
        .setStatus(CallStatus.SUCCEEDED)
        .setContent(cached.getContent())
        .setUsage(
            new Usage(cached.getUsage().getPromptTokens(), cached.getUsage().getCompletionTokens()))
        .setFinishReason(cached.getFinishReason())
        .setTimings(new CallTimings(0L, 0L, Map.of(), 0))
        .setCached(true)
        .build();
  }

  /** A FAILED result for a task that was not called (or whose call broke unexpectedly). */
  public static AgentResult failedResult(
      AgentTask task, String errorClass, String message, Clock clock) {
    return resultBuilder(task, clock, task.getAttempt())
        .setStatus(CallStatus.FAILED)
        .setError(new CallError(errorClass, message, null))
        .setTimings(new CallTimings(0L, 0L, Map.of(), 0))
        .build();
  }

  /** A FAILED result for a rejected task: missing key, invalid value. */
  public static AgentResult rejectedResult(AgentTask task, TaskRejectedException e, Clock clock) {
    return failedResult(task, e.errorClass(), e.getMessage(), clock);
  }

  private static AgentResult.Builder resultBuilder(AgentTask task, Clock clock, int attempt) {
    ProviderRef p = task.getProvider();
    return AgentResult.newBuilder()
        .setTaskId(task.getTaskId())
        .setRequestId(task.getRequestId())
        .setLayer(task.getLayer())
        .setAgentIndex(task.getAgentIndex())
        .setAgentName(task.getAgentName())
        .setModel(task.getModel())
        .setProvider(p == null ? "" : p.getName())
        .setContent("")
        .setUsage(new Usage(0, 0))
        .setSimulated(p != null && p.getSimulated())
        .setAttempt(attempt)
        .setCompletedAtMs(clock.millis());
  }

  private static CallTimings toTimings(CallOutcome outcome) {
    dev.moa.provider.CallTimings t = outcome.timings();
    return new CallTimings(
        t.ttftMs(), t.durationMs(), Map.copyOf(t.providerTimeInfo()), t.attempts());
  }

  /** The wire error of a failed call: {@code error_class} is {@link ErrorClass#wireName()}. */
  public static CallError callError(CallOutcome.Failed failed) {
    return new CallError(failed.errorClass().wireName(), failed.message(), failed.httpStatus());
  }

  /** A finished call as reports show it; {@code latency_ms} is the call's duration. */
  public static AgentOutput toOutput(AgentResult r) {
    return dev.moa.protocol.request.AgentOutputs.from(r);
  }

  /** {@code moa.agent} tag value: the agent's name, or {@code aggregator} for the aggregator. */
  public static String agentTag(AgentTask task) {
    return task.getRole() == TaskRole.AGGREGATOR ? MetricNames.AGGREGATOR : task.getAgentName();
  }

  /** {@code moa.layer} tag value: the layer number, or {@code aggregator} for the aggregator. */
  public static String layerTag(AgentTask task) {
    return task.getRole() == TaskRole.AGGREGATOR
        ? MetricNames.AGGREGATOR
        : Integer.toString(task.getLayer());
  }
}
