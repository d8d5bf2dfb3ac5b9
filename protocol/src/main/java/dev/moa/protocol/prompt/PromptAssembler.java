package dev.moa.protocol.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the messages of one model call the way Together AI's MoA reference does. The previous
 * layer's answers ("references") go into the <em>system</em> message, never into the user's text:
 *
 * <ol>
 *   <li>{@link #helperResponse} numbers the references after the reference prompt;
 *   <li>{@link #fillTemplate} puts that text where the agent's prompt has {@value #PLACEHOLDER} (or
 *       after a blank line when it has none);
 *   <li>{@link #messages} puts the result as the system message before the conversation.
 * </ol>
 *
 * Pure functions, no state.
 */
public final class PromptAssembler {

  /** Where a prompt template receives the previous layer's answers. */
  public static final String PLACEHOLDER = "{helper_response}";

  /** Together AI's aggregate-and-synthesize prompt, word for word. */
  public static final String DEFAULT_REFERENCE_PROMPT =
      "You have been provided with a set of responses from various open-source models to the"
          + " latest user query. Your task is to synthesize these responses into a single,"
          + " high-quality response. It is crucial to critically evaluate the information provided"
          + " in these responses, recognizing that some of it may be biased or incorrect. Your"
          + " response should not simply replicate the given answers but should offer a refined,"
          + " accurate, and comprehensive reply to the instruction. Ensure your response is"
          + " well-structured, coherent, and adheres to the highest standards of accuracy and"
          + " reliability.\n\nResponses from models:";

  private PromptAssembler() {}

  /**
   * The text that replaces {@value #PLACEHOLDER}.
   *
   * @param referencePrompt the config's reference prompt
   * @param outputs the successful outputs of the previous layer, in agent order (empty for layer 1)
   * @param dropped how many calls of the previous layer failed and are left out
   * @return "" when there is nothing to refer to (layer 1: no outputs, none dropped); otherwise the
   *     reference prompt, then {@code "\n1. ..."}, {@code "\n2. ..."}, and when calls were dropped
   *     a note saying how many
   */
  public static String helperResponse(String referencePrompt, List<String> outputs, int dropped) {
    Objects.requireNonNull(referencePrompt, "referencePrompt");
    if (dropped < 0) {
      throw new IllegalArgumentException("dropped must be >= 0, got " + dropped);
    }
    if (outputs.isEmpty() && dropped == 0) {
      return "";
    }
    StringBuilder text = new StringBuilder(referencePrompt);
    int number = 1;
    for (String output : outputs) {
      text.append('\n').append(number++).append(". ").append(output);
    }
    if (dropped > 0) {
      text.append("\n\n(")
          .append(dropped)
          .append(" of ")
          .append(outputs.size() + dropped)
          .append(
              dropped == 1
                  ? " responses was left out because its model call failed.)"
                  : " responses were left out because their model calls failed.)");
    }
    return text.toString();
  }

  /**
   * Puts the helper response into a prompt template. Exactly one literal {@value #PLACEHOLDER} is
   * replaced by the helper response as it is; nothing else in the template or in the references is
   * interpreted (other braces, {@code $1}, backslashes stay as written). A template without the
   * placeholder gets the helper response after a blank line, or stays as it is when the helper
   * response is empty.
   *
   * @throws IllegalArgumentException when the template has more than one placeholder
   */
  public static String fillTemplate(String template, String helperResponse) {
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(helperResponse, "helperResponse");
    int count = placeholderCount(template);
    if (count > 1) {
      throw new IllegalArgumentException(
          "template has " + count + " " + PLACEHOLDER + " placeholders; at most one is allowed");
    }
    if (count == 1) {
      return template.replace(PLACEHOLDER, helperResponse);
    }
    return helperResponse.isEmpty() ? template : template + "\n\n" + helperResponse;
  }

  /**
   * The messages of one call: a system message with {@code systemContent}, then the conversation's
   * messages unchanged (the user's question last).
   */
  public static List<Message> messages(String systemContent, List<Message> conversation) {
    Objects.requireNonNull(systemContent, "systemContent");
    List<Message> messages = new ArrayList<>(conversation.size() + 1);
    messages.add(new Message("system", systemContent));
    for (Message message : conversation) {
      messages.add(Objects.requireNonNull(message, "conversation message"));
    }
    return List.copyOf(messages);
  }

  /** How many literal {@value #PLACEHOLDER} a template has. */
  public static int placeholderCount(String template) {
    int count = 0;
    int from = template.indexOf(PLACEHOLDER);
    while (from >= 0) {
      count++;
      from = template.indexOf(PLACEHOLDER, from + PLACEHOLDER.length());
    }
    return count;
  }
}
