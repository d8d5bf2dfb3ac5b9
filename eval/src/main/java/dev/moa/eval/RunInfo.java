package dev.moa.eval;

import dev.moa.protocol.config.ModelPrice;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a summary and report say about the run itself.
 *
 * @param runId the run id
 * @param dataset the dataset path as given
 * @param configName the MoA config's name
 * @param configHash the config's hash
 * @param simulated the run used the simulator
 * @param status "completed", "cancelled" or "failed"
 * @param startedAtMs when the run started (epoch ms)
 * @param finishedAtMs when it ended (epoch ms)
 * @param totalSamples the dataset's samples, including those not run
 * @param skippedLines the dataset's bad lines that were skipped
 * @param prices USD prices by model; may be empty (costs are then unknown)
 */
public record RunInfo(
    String runId,
    String dataset,
    String configName,
    String configHash,
    boolean simulated,
    String status,
    long startedAtMs,
    long finishedAtMs,
    int totalSamples,
    List<BadLine> skippedLines,
    Map<String, ModelPrice> prices) {

  public static final Set<String> STATUSES = Set.of("completed", "cancelled", "failed");

  public RunInfo {
    Objects.requireNonNull(runId, "runId");
    dataset = Objects.requireNonNullElse(dataset, "");
    configName = Objects.requireNonNullElse(configName, "");
    configHash = Objects.requireNonNullElse(configHash, "");
    Objects.requireNonNull(status, "status");
    if (!STATUSES.contains(status)) {
      throw new IllegalArgumentException(
          "run status must be one of completed, cancelled, failed, got: '" + status + "'");
    }
    if (totalSamples < 0) {
      throw new IllegalArgumentException("totalSamples must be >= 0, got: " + totalSamples);
    }
    skippedLines = skippedLines == null ? List.of() : List.copyOf(skippedLines);
    prices =
        prices == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(prices));
  }

  public boolean cancelled() {
    return status.equals("cancelled");
  }
}
