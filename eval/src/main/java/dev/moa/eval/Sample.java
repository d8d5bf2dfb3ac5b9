package dev.moa.eval;

import dev.moa.protocol.prompt.Message;
import java.util.List;
import java.util.Objects;

/**
 * One good dataset line.
 *
 * @param id the sample id, unique in its dataset
 * @param line the 1-based line number in the dataset file
 * @param messages the input as chat messages (a string input is one {@code user} message)
 * @param targetJson the target as JSON text; null when the line has none
 * @param grader the line's grader, or the default grader; null when neither is given
 * @param metadataJson the metadata as a JSON object text ({@code "{}"} when absent)
 */
public record Sample(
    String id,
    int line,
    List<Message> messages,
    String targetJson,
    GraderRef grader,
    String metadataJson) {

  public Sample {
    Objects.requireNonNull(id, "id");
    messages = List.copyOf(messages);
    if (metadataJson == null || metadataJson.isBlank()) {
      metadataJson = "{}";
    }
  }
}
