package dev.moa.orchestrator;

import dev.moa.orchestrator.security.ApiAccess;
import dev.moa.protocol.request.RequestLimits;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.orchestrator.*}.
 *
 * @param stateDir where Kafka Streams keeps its local state (rebuilt from the changelog if lost)
 * @param streamThreads barrier threads; partitions are spread over threads and instances
 * @param tick how often layer deadlines are checked
 * @param doneRetention how long a finished request is remembered so a redelivery is ignored
 * @param commitInterval exactly-once commit interval: the barrier's added latency is bounded by it
 * @param simulatorBaseUrl the simulator that providers without keys fall back to (intake)
 * @param defaultConfig the MoA config file for HTTP requests that bring none (default: workshop)
 * @param apiTokenEnv the environment variable holding the HTTP API's bearer token, required when
 *     {@code server.address} is not loopback (default MOA_API_TOKEN)
 * @param maxBodyBytes largest HTTP request body; larger is refused with 413 (default 1 MiB)
 * @param maxPromptBytes largest prompt (UTF-8 bytes of all messages); larger is 413 (256 KiB)
 * @param maxMessages most messages in one request (100)
 * @param configsDir the directory of {@code <name>.yaml} configs served as {@code moa/<name>} by
 *     the OpenAI-compatible endpoint (default {@code configs})
 * @param answerTimeout how long {@code /v1/chat/completions} waits for a final answer (10m)
 */
@ConfigurationProperties("moa.orchestrator")
public record OrchestratorProperties(
    String stateDir,
    Integer streamThreads,
    Duration tick,
    Duration doneRetention,
    Duration commitInterval,
    String simulatorBaseUrl,
    String defaultConfig,
    String apiTokenEnv,
    Long maxBodyBytes,
    Integer maxPromptBytes,
    Integer maxMessages,
    String configsDir,
    Duration answerTimeout) {

  public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

  public OrchestratorProperties {
    stateDir =
        stateDir == null
            ? System.getProperty("java.io.tmpdir") + "/moa-orchestrator-state"
            : stateDir;
    streamThreads = streamThreads == null ? 1 : streamThreads;
    tick = tick == null ? Duration.ofSeconds(1) : tick;
    doneRetention = doneRetention == null ? Duration.ofHours(24) : doneRetention;
    commitInterval = commitInterval == null ? Duration.ofMillis(50) : commitInterval;
    apiTokenEnv = apiTokenEnv == null ? ApiAccess.DEFAULT_TOKEN_ENV : apiTokenEnv;
    maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
    maxPromptBytes =
        maxPromptBytes == null ? RequestLimits.DEFAULT_MAX_PROMPT_BYTES : maxPromptBytes;
    maxMessages = maxMessages == null ? RequestLimits.DEFAULT_MAX_MESSAGES : maxMessages;
    configsDir = configsDir == null || configsDir.isBlank() ? "configs" : configsDir;
    answerTimeout = answerTimeout == null ? Duration.ofMinutes(10) : answerTimeout;
    if (answerTimeout.isNegative() || answerTimeout.isZero()) {
      throw new IllegalArgumentException(
          "moa.orchestrator.answer-timeout: " + answerTimeout + " must be positive");
    }
    if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "moa.orchestrator.max-body-bytes: " + maxBodyBytes + " must be 1.." + Integer.MAX_VALUE);
    }
    if (maxPromptBytes < 1) {
      throw new IllegalArgumentException(
          "moa.orchestrator.max-prompt-bytes: " + maxPromptBytes + " must be >= 1");
    }
    if (maxMessages < 1) {
      throw new IllegalArgumentException(
          "moa.orchestrator.max-messages: " + maxMessages + " must be >= 1");
    }
    if (streamThreads < 1) {
      throw new IllegalArgumentException(
          "moa.orchestrator.stream-threads: " + streamThreads + " must be >= 1");
    }
  }

  /** The prompt limits of HTTP requests. */
  public RequestLimits requestLimits() {
    return new RequestLimits(maxPromptBytes, maxMessages);
  }
}
