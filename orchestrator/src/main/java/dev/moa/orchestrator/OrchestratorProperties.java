package dev.moa.orchestrator;

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
 */
@ConfigurationProperties("moa.orchestrator")
public record OrchestratorProperties(
    String stateDir,
    Integer streamThreads,
    Duration tick,
    Duration doneRetention,
    Duration commitInterval,
    String simulatorBaseUrl,
    String defaultConfig) {

  public OrchestratorProperties {
    stateDir =
        stateDir == null
            ? System.getProperty("java.io.tmpdir") + "/moa-orchestrator-state"
            : stateDir;
    streamThreads = streamThreads == null ? 1 : streamThreads;
    tick = tick == null ? Duration.ofSeconds(1) : tick;
    doneRetention = doneRetention == null ? Duration.ofHours(24) : doneRetention;
    commitInterval = commitInterval == null ? Duration.ofMillis(50) : commitInterval;
    if (streamThreads < 1) {
      throw new IllegalArgumentException(
          "moa.orchestrator.stream-threads: " + streamThreads + " must be >= 1");
    }
  }
}
