package dev.moa.graders;

import java.util.List;
import java.util.Objects;

/**
 * The language model behind the {@code judge} grader: it gets the judge prompt's chat messages and
 * returns the model's reply text. The grader library makes no network call itself; the grader
 * worker implements this over its provider client.
 */
@FunctionalInterface
public interface JudgeModel {

  /** One chat message of the judge prompt ({@code system} or {@code user}). */
  record Message(String role, String content) {
    public Message {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(content, "content");
    }
  }

  /**
   * Sends the messages and returns the reply.
   *
   * @param model the model to use (the sample's {@code model} option), or null for the judge's
   *     configured default
   * @param maxTokens the reply budget (the sample's {@code max_tokens} option), or null for the
   *     judge's default
   * @return the reply text
   * @throws Exception when the call fails; the grading becomes an error, never a score
   */
  String reply(List<Message> messages, String model, Integer maxTokens) throws Exception;

  /** The model a call with {@code override} uses, as the grade's details name it. */
  default String modelName(String override) {
    return override != null ? override : "default";
  }
}
