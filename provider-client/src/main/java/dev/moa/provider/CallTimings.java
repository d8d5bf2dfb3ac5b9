package dev.moa.provider;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Timings of one call.
 *
 * @param ttftMs time from the start of the last attempt (the successful one, for a success) to its
 *     first non-empty content delta; -1 when no content arrived
 * @param durationMs time from the start of the first attempt to completion, retries included
 * @param providerTimeInfo numbers the provider reported about its own timing (Cerebras {@code
 *     time_info}); empty when none
 * @param attempts attempts made, the first included
 */
public record CallTimings(
    long ttftMs, long durationMs, Map<String, Double> providerTimeInfo, int attempts) {
  public CallTimings {
    providerTimeInfo =
        providerTimeInfo == null || providerTimeInfo.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(providerTimeInfo));
  }
}
