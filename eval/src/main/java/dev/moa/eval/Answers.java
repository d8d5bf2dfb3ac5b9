package dev.moa.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers read from a JSONL file of {@code {"id", "answer"}} lines.
 *
 * @param byId the answers by sample id, in file order
 * @param badLines the lines that could not be used
 */
public record Answers(Map<String, String> byId, List<BadLine> badLines) {

  public Answers {
    byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
    badLines = List.copyOf(badLines);
  }
}
