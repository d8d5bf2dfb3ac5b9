package dev.moa.protocol.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptAssemblerTest {

  private static final String TOGETHER_REFERENCE_PROMPT =
      "You have been provided with a set of responses from various open-source models to the latest"
          + " user query. Your task is to synthesize these responses into a single, high-quality"
          + " response. It is crucial to critically evaluate the information provided in these"
          + " responses, recognizing that some of it may be biased or incorrect. Your response"
          + " should not simply replicate the given answers but should offer a refined, accurate,"
          + " and comprehensive reply to the instruction. Ensure your response is well-structured,"
          + " coherent, and adheres to the highest standards of accuracy and reliability.\n"
          + "\n"
          + "Responses from models:";

  @Test
  void defaultReferencePromptIsTogethersTextWordForWord() {
    assertThat(PromptAssembler.DEFAULT_REFERENCE_PROMPT).isEqualTo(TOGETHER_REFERENCE_PROMPT);
    assertThat(PromptAssembler.PLACEHOLDER).isEqualTo("{helper_response}");
  }

  @Test
  void layerOneHelperResponseIsEmpty() {
    assertThat(PromptAssembler.helperResponse(TOGETHER_REFERENCE_PROMPT, List.of(), 0)).isEmpty();
  }

  @Test
  void layerTwoHelperResponseNumbersReferencesAfterTheReferencePrompt() {
    String helper =
        PromptAssembler.helperResponse(
            TOGETHER_REFERENCE_PROMPT, List.of("Paris.", "It is Paris.\nSure.", "Lyon?"), 0);

    assertThat(helper)
        .isEqualTo(TOGETHER_REFERENCE_PROMPT + "\n1. Paris.\n2. It is Paris.\nSure.\n3. Lyon?");
  }

  @Test
  void oneDroppedResponseSaysResponseWas() {
    String helper = PromptAssembler.helperResponse("Refs:", List.of("a", "b"), 1);

    assertThat(helper)
        .isEqualTo(
            "Refs:\n1. a\n2. b\n\n(1 of 3 responses was left out because its model call"
                + " failed.)");
  }

  @Test
  void severalDroppedResponsesAreCountedInThePlural() {
    String helper = PromptAssembler.helperResponse("Refs:", List.of("only"), 2);

    assertThat(helper)
        .isEqualTo(
            "Refs:\n1. only\n\n(2 of 3 responses were left out because their model calls"
                + " failed.)");
  }

  @Test
  void numberingStaysContiguousWhenResponsesWereDropped() {
    String helper = PromptAssembler.helperResponse("R", List.of("x", "y"), 3);

    assertThat(helper).startsWith("R\n1. x\n2. y\n\n(3 of 5 responses were left out");
  }

  @Test
  void negativeDroppedCountIsRejected() {
    assertThatThrownBy(() -> PromptAssembler.helperResponse("R", List.of("x"), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void templateWithPlaceholderGetsReferencesInItsPlace() {
    String filled =
        PromptAssembler.fillTemplate("Think step by step. {helper_response} Then answer.", "REFS");

    assertThat(filled).isEqualTo("Think step by step. REFS Then answer.");
  }

  @Test
  void templateWithPlaceholderInLayerOneLosesOnlyThePlaceholder() {
    String filled =
        PromptAssembler.fillTemplate(
            "You are a personal assistant that is helpful.\n\n{helper_response}", "");

    assertThat(filled).isEqualTo("You are a personal assistant that is helpful.\n\n");
  }

  @Test
  void templateWithoutPlaceholderGetsReferencesAfterBlankLine() {
    assertThat(PromptAssembler.fillTemplate("Be brief.", "Refs:\n1. a"))
        .isEqualTo("Be brief.\n\nRefs:\n1. a");
  }

  @Test
  void templateWithoutPlaceholderStaysUnchangedWhenThereAreNoReferences() {
    assertThat(PromptAssembler.fillTemplate("Be brief.", "")).isEqualTo("Be brief.");
  }

  @Test
  void otherBracesInTheTemplateAreKeptAsWritten() {
    String filled =
        PromptAssembler.fillTemplate("Hi {name}, {{x}} {helper_response} {helper}", "R");

    assertThat(filled).isEqualTo("Hi {name}, {{x}} R {helper}");
  }

  @Test
  void dollarSignsBackslashesAndBracesInReferencesAreKeptAsWritten() {
    String references = "costs $1 or $0, path C:\\temp\\{helper_response} {{y}} \\$2";

    String filled = PromptAssembler.fillTemplate("A: {helper_response} :B", references);

    assertThat(filled).isEqualTo("A: " + references + " :B");
  }

  @Test
  void templateWithTwoPlaceholdersIsRejected() {
    assertThatThrownBy(
            () -> PromptAssembler.fillTemplate("{helper_response} and {helper_response}", "R"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("template has 2 {helper_response} placeholders; at most one is allowed");
  }

  @Test
  void placeholderCountCountsLiteralOccurrences() {
    assertThat(PromptAssembler.placeholderCount("none {helper} {HELPER_RESPONSE}")).isZero();
    assertThat(PromptAssembler.placeholderCount("{helper_response}{helper_response}x"))
        .isEqualTo(2);
  }

  @Test
  void messagesPutTheSystemMessageBeforeTheConversationUnchanged() {
    List<Message> conversation =
        List.of(
            new Message("user", "Hi"),
            new Message("assistant", "Hello!"),
            new Message("user", "What is the capital of France?"));

    List<Message> messages = PromptAssembler.messages("SYSTEM {x}", conversation);

    assertThat(messages)
        .containsExactly(
            new Message("system", "SYSTEM {x}"),
            new Message("user", "Hi"),
            new Message("assistant", "Hello!"),
            new Message("user", "What is the capital of France?"));
  }

  @Test
  void referencesGoIntoTheSystemMessageAndNeverIntoTheUsersText() {
    String helper = PromptAssembler.helperResponse("Refs:", List.of("A1", "A2"), 0);
    String system =
        PromptAssembler.fillTemplate(
            "Think through your response step by step. {helper_response}", helper);

    List<Message> messages =
        PromptAssembler.messages(system, List.of(new Message("user", "Why is the sky blue?")));

    assertThat(messages.get(0))
        .isEqualTo(
            new Message("system", "Think through your response step by step. Refs:\n1. A1\n2. A2"));
    assertThat(messages.get(1)).isEqualTo(new Message("user", "Why is the sky blue?"));
  }

  @Test
  void aggregatorPromptOfTheWorkshopGetsReferencesAfterItsBlankLine() {
    String helper = PromptAssembler.helperResponse(TOGETHER_REFERENCE_PROMPT, List.of("X"), 0);

    String system =
        PromptAssembler.fillTemplate(
            "You are a personal assistant that is helpful.\n\n{helper_response}", helper);

    assertThat(system)
        .isEqualTo(
            "You are a personal assistant that is helpful.\n\n"
                + TOGETHER_REFERENCE_PROMPT
                + "\n1. X");
  }
}
