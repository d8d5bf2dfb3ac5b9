package dev.moa.eval;

import java.util.Objects;

/**
 * A sample's grader: its type and the rest of the dataset's grader object.
 *
 * @param type the grader type, e.g. {@code exact}
 * @param optionsJson the grader object minus {@code type}, as JSON object text ({@code "{}"} if
 *     none)
 */
public record GraderRef(String type, String optionsJson) {

  public GraderRef {
    Objects.requireNonNull(type, "type");
    if (optionsJson == null || optionsJson.isBlank()) {
      optionsJson = "{}";
    }
  }
}
