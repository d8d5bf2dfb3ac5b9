package dev.moa.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.simulator.ReceivedCall.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextGeneratorTest {

  private static final String MODEL = "llama3.1-8b";

  private static List<Message> ask(String question) {
    return List.of(new Message("system", "You are helpful."), new Message("user", question));
  }

  private static TextGenerator.Generated gen(String question, double temperature, Long seed) {
    return TextGenerator.generate(MODEL, ask(question), temperature, seed, 1024);
  }

  @Test
  void sameInputsGiveSameText() {
    TextGenerator.Generated a = gen("What is the capital of France?", 0.7, 7L);
    TextGenerator.Generated b = gen("What is the capital of France?", 0.7, 7L);
    assertThat(a).isEqualTo(b);
    assertThat(String.join("", a.tokens())).isEqualTo(a.text());
  }

  @Test
  void textBeginsWithModelMarker() {
    assertThat(gen("Hello there", 1.0, null).text()).startsWith("[simulated model llama3.1-8b] ");
    assertThat(TextGenerator.generate("qwen-3-32b", ask("Hi"), 1.0, null, 1024).text())
        .startsWith("[simulated model qwen-3-32b] ");
  }

  @Test
  void differentTemperatureSeedQuestionOrModelGiveDifferentText() {
    String base = gen("What is the capital of France?", 0.7, 7L).text();
    assertThat(gen("What is the capital of France?", 0.2, 7L).text()).isNotEqualTo(base);
    assertThat(gen("What is the capital of France?", 0.7, 8L).text()).isNotEqualTo(base);
    assertThat(gen("What is the capital of France?", 0.7, null).text()).isNotEqualTo(base);
    assertThat(gen("What is the capital of Spain?", 0.7, 7L).text()).isNotEqualTo(base);
    String otherModel =
        TextGenerator.generate("gpt-oss-120b", ask("What is the capital of France?"), 0.7, 7L, 1024)
            .text();
    assertThat(otherModel.substring(otherModel.indexOf(']')))
        .isNotEqualTo(base.substring(base.indexOf(']')));
  }

  @Test
  void mentionsWordsOfTheLastUserMessage() {
    List<Message> messages =
        List.of(
            new Message("system", "Be brief."),
            new Message("user", "Tell me about volcanoes"),
            new Message("assistant", "Volcanoes are mountains."),
            new Message("user", "Explain quantum entanglement"));
    String text = TextGenerator.generate(MODEL, messages, 1.0, null, 1024).text();
    assertThat(text).contains("explain quantum entanglement,").doesNotContain("volcanoes");
  }

  @Test
  void lengthIsBetween30And160TokensAndStops() {
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int i = 0; i < 300; i++) {
      TextGenerator.Generated g = gen("Question number " + i + " about things", 1.0, (long) i);
      assertThat(g.tokenCount()).isBetween(30, 160);
      assertThat(g.finishReason()).isEqualTo("stop");
      assertThat(g.tokens()).allSatisfy(t -> assertThat(t).isNotBlank());
      assertThat(g.text()).matches("(?s).*[.?!]$");
      min = Math.min(min, g.tokenCount());
      max = Math.max(max, g.tokenCount());
    }
    // The lengths really spread over the range.
    assertThat(min).isLessThan(50);
    assertThat(max).isGreaterThan(140);
  }

  @Test
  void tokensAreWordsWithSentencePunctuation() {
    TextGenerator.Generated g = gen("Why is the sky blue?", 1.0, 3L);
    assertThat(g.tokens().subList(1, g.tokenCount()))
        .allSatisfy(t -> assertThat(t).matches(" ?[\\p{L}\\p{N}'_-]+[,.?!]?"));
    assertThat(g.tokens().get(1)).matches("[A-Z].*");
  }

  @Test
  void maxTokensCapsTheAnswerAsAPrefix() {
    TextGenerator.Generated full = gen("Describe the water cycle", 0.5, 11L);
    int natural = full.tokenCount();

    TextGenerator.Generated capped =
        TextGenerator.generate(MODEL, ask("Describe the water cycle"), 0.5, 11L, 10);
    assertThat(capped.tokenCount()).isEqualTo(10);
    assertThat(capped.finishReason()).isEqualTo("length");
    assertThat(full.text()).startsWith(capped.text());

    TextGenerator.Generated exact =
        TextGenerator.generate(MODEL, ask("Describe the water cycle"), 0.5, 11L, natural);
    assertThat(exact).isEqualTo(full);

    TextGenerator.Generated one =
        TextGenerator.generate(MODEL, ask("Describe the water cycle"), 0.5, 11L, 1);
    assertThat(one.text()).isEqualTo("[simulated model llama3.1-8b] ");
    assertThat(one.finishReason()).isEqualTo("length");
  }

  @Test
  void ordinaryPromptsKeepTheirExactText() {
    // Pinned before judge prompts were recognised: other prompts must not change.
    TextGenerator.Generated g = gen("What is the capital of France?", 0.7, 7L);
    assertThat(g.text())
        .isEqualTo(
            "[simulated model llama3.1-8b] Considering what capital france, case depends by have"
                + " includes likely different but, reliable nearly simply made. Every clear appear"
                + " solution allows central limit resource with careful than. Company the shape"
                + " country design. Response general consider likely remain volume question. Keeps"
                + " feature different country clearly direct can structure review typically their"
                + " may! Therefore early important slow compare change.");
    assertThat(g.tokenCount()).isEqualTo(58);
  }

  private static List<Message> judgePrompt(String answer) {
    return List.of(
        new Message(
            "system",
            "You are a strict, impartial grader. ... end your reply with a final line of exactly"
                + " the form `Score: N`, where N is an integer from 1 (worst) to 10 (best)."),
        new Message("user", "Rubric:\nRight?\n\nAnswer to grade:\n" + answer));
  }

  @Test
  void judgePromptsEndWithADeterministicVerdictLine() {
    java.util.Set<Integer> verdicts = new java.util.TreeSet<>();
    for (int i = 0; i < 200; i++) {
      List<Message> prompt = judgePrompt("answer number " + i);
      assertThat(TextGenerator.isJudgePrompt(prompt)).isTrue();
      TextGenerator.Generated g = TextGenerator.generate(MODEL, prompt, 0.0, null, 1024);
      assertThat(g).isEqualTo(TextGenerator.generate(MODEL, prompt, 0.0, null, 1024));
      assertThat(g.tokenCount()).isBetween(30, 160);
      assertThat(g.finishReason()).isEqualTo("stop");
      String last = g.text().substring(g.text().lastIndexOf('\n') + 1);
      assertThat(last).matches("Score: ([1-9]|10)");
      assertThat(g.tokens().get(g.tokenCount() - 2)).isEqualTo("\nScore:");
      verdicts.add(Integer.parseInt(last.substring("Score: ".length())));
    }
    assertThat(verdicts).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  }

  @Test
  void onlyASystemMessageAskingForTheVerdictLineMakesAJudgePrompt() {
    assertThat(TextGenerator.isJudgePrompt(ask("Reply with Score: N please"))).isFalse();
    assertThat(TextGenerator.isJudgePrompt(List.of(new Message("system", "Be brief.")))).isFalse();
    assertThat(gen("Reply with Score: N please", 1.0, 1L).text()).doesNotContain("\nScore:");
  }

  @Test
  void aCappedJudgeReplyIsAPrefixWithoutItsVerdict() {
    List<Message> prompt = judgePrompt("x");
    TextGenerator.Generated full = TextGenerator.generate(MODEL, prompt, 0.0, null, 1024);
    TextGenerator.Generated capped =
        TextGenerator.generate(MODEL, prompt, 0.0, null, full.tokenCount() - 2);
    assertThat(full.text()).startsWith(capped.text());
    assertThat(capped.text()).doesNotContain("Score:");
    assertThat(capped.finishReason()).isEqualTo("length");
  }

  @Test
  void rejectsNonPositiveMaxTokens() {
    assertThatThrownBy(() -> TextGenerator.generate(MODEL, ask("x"), 1.0, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxTokens: 0 must be >= 1");
  }

  @Test
  void promptTokensAreCeilQuarterLengthPlusFourPerMessage() {
    assertThat(
            TextGenerator.promptTokens(
                List.of(
                    new Message("system", ""),
                    new Message("user", "abcd"),
                    new Message("assistant", "abcde"),
                    new Message("user", "x".repeat(401)))))
        .isEqualTo((0 + 4) + (1 + 4) + (2 + 4) + (101 + 4));
  }

  @Test
  void criticPromptsEndWithAVerdictAndSeedsGiveBothReproducibly() {
    java.util.Map<String, Integer> verdicts = new java.util.TreeMap<>();
    for (long seed = 0; seed < 40; seed++) {
      List<Message> prompt =
          List.of(
              new Message(
                  "system",
                  "Judge.\n1. plan a\n2. plan b\nEnd with `Verdict: ACCEPT` or `Verdict: REJECT`."),
              new Message("user", "Plan a trip"));
      TextGenerator.Generated g = TextGenerator.generate(MODEL, prompt, 0.2, seed, 1024);
      assertThat(g).isEqualTo(TextGenerator.generate(MODEL, prompt, 0.2, seed, 1024));
      String last = g.text().substring(g.text().lastIndexOf('\n') + 1);
      assertThat(last).matches("Verdict: (ACCEPT|REJECT)");
      verdicts.merge(last, 1, Integer::sum);
    }
    assertThat(verdicts).containsOnlyKeys("Verdict: ACCEPT", "Verdict: REJECT");
  }

  @Test
  void bestOfNPromptsPickOneOfTheNumberedCandidates() {
    java.util.Set<String> picks = new java.util.TreeSet<>();
    for (long seed = 0; seed < 60; seed++) {
      List<Message> prompt =
          List.of(
              new Message("system", "Pick. End with `Best: N`.\nCandidates:\n1. a\n2. b\n3. c"),
              new Message("user", "Which?"));
      String text = TextGenerator.generate(MODEL, prompt, 0.0, seed, 1024).text();
      picks.add(text.substring(text.lastIndexOf('\n') + 1));
    }
    assertThat(picks).containsExactly("Best: 1", "Best: 2", "Best: 3");
  }
}
