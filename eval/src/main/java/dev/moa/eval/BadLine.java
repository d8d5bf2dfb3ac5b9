package dev.moa.eval;

import java.util.Objects;

/**
 * A dataset (or answers) line that cannot be used.
 *
 * @param line the 1-based line number
 * @param id the line's id when it could be read, else null
 * @param reason what is wrong, naming the field and its bad value
 */
public record BadLine(int line, String id, String reason) {

  public BadLine {
    Objects.requireNonNull(reason, "reason");
  }

  /** {@code line 7 (id q-7): field 'input' ...}, for error messages. */
  public String describe() {
    return "line " + line + (id == null ? "" : " (id " + id + ")") + ": " + reason;
  }
}
