package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TextGradersTest {
  private final Graders graders = new Graders();

  private double score(String type, String answer, String options, String target) {
    GradeResult r = graders.forType(type).grade(answer, options, target);
    assertThat(r).isInstanceOf(GradeResult.Scored.class);
    return ((GradeResult.Scored) r).score();
  }

  private GradeResult.Scored scored(String type, String answer, String options, String target) {
    return (GradeResult.Scored) graders.forType(type).grade(answer, options, target);
  }

  @Test
  void unknownTypeIsRejectedNamingKnownTypes() {
    assertThatThrownBy(() -> graders.forType("fuzzy"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fuzzy")
        .hasMessageContaining("exact")
        .hasMessageContaining("challenge")
        .hasMessageContaining("code");
  }

  @Nested
  class Exact {
    @Test
    void ignoresCaseAndCollapsesWhitespaceByDefault() {
      assertThat(score("exact", "  Paris \n France ", null, "\"paris france\"")).isEqualTo(1);
    }

    @Test
    void caseSensitiveOptionMakesCaseMatter() {
      assertThat(score("exact", "Paris", "{\"case_sensitive\": true}", "\"paris\"")).isZero();
      assertThat(score("exact", "Paris", "{\"case_sensitive\": true}", "\"Paris\"")).isEqualTo(1);
    }

    @Test
    void whitespaceIsSignificantWhenNormalizationIsOff() {
      assertThat(score("exact", "a  b", "{\"normalize_whitespace\": false}", "\"a b\"")).isZero();
    }

    @Test
    void stripsPunctuationAndArticlesWhenAsked() {
      assertThat(score("exact", "The Eiffel Tower!", null, "\"eiffel tower\"")).isZero();
      assertThat(
              score(
                  "exact",
                  "The Eiffel Tower!",
                  "{\"strip_punctuation\": true, \"strip_articles\": true}",
                  "\"eiffel tower\""))
          .isEqualTo(1);
    }

    @Test
    void badOptionValueIsRejectedNamingOptionAndValue() {
      assertThatThrownBy(() -> score("exact", "x", "{\"case_sensitive\": \"yes\"}", "\"x\""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("case_sensitive")
          .hasMessageContaining("yes");
      assertThatThrownBy(() -> score("exact", "x", "{\"casesensitive\": true}", "\"x\""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("casesensitive");
    }
  }

  @Nested
  class Numeric {
    @Test
    void prefersTheLastBoxedValue() {
      GradeResult.Scored r =
          scored("numeric", "first \\boxed{3} then \\boxed{\\frac{}{}42} done 7", null, "42");
      assertThat(r.score()).isEqualTo(1);
      assertThat(r.details()).containsEntry("extraction", "boxed").containsEntry("extracted", 42.0);
    }

    @Test
    void usesTheAnswerPhraseWhenNothingIsBoxed() {
      GradeResult.Scored r =
          scored("numeric", "We get 12 apples.\nAnswer: 1,234.5 kg\nok 3", null, "1234.5");
      assertThat(r.score()).isEqualTo(1);
      assertThat(r.details()).containsEntry("extraction", "answer_phrase");
      assertThat(score("numeric", "so the answer is -7 overall, not 8", null, "-7")).isEqualTo(1);
    }

    @Test
    void fallsBackToTheLastNumberWithCommas() {
      GradeResult.Scored r = scored("numeric", "between 3 and 1,000,000", null, "1000000");
      assertThat(r.score()).isEqualTo(1);
      assertThat(r.details()).containsEntry("extraction", "last_number");
    }

    @Test
    void noNumberScoresZeroWithExtractionNone() {
      GradeResult.Scored r = scored("numeric", "no idea", null, "5");
      assertThat(r.score()).isZero();
      assertThat(r.details()).containsEntry("extraction", "none");
    }

    @Test
    void appliesAbsoluteAndRelativeTolerance() {
      assertThat(score("numeric", "3.1416", null, "3.14159")).isZero();
      assertThat(score("numeric", "3.1416", "{\"abs_tol\": 0.001}", "3.14159")).isEqualTo(1);
      assertThat(score("numeric", "101", "{\"rel_tol\": 0.02}", "100")).isEqualTo(1);
      assertThat(score("numeric", "103", "{\"rel_tol\": 0.02}", "100")).isZero();
    }

    @Test
    void badToleranceIsRejectedNamingOptionAndValue() {
      assertThatThrownBy(() -> score("numeric", "1", "{\"abs_tol\": -1}", "1"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("abs_tol")
          .hasMessageContaining("-1");
      assertThatThrownBy(() -> score("numeric", "1", null, "\"many\""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("many");
    }
  }

  @Nested
  class Choice {
    @Test
    void readsTheAnswerPhraseCaseInsensitively() {
      assertThat(score("choice", "I considered (B) but final answer: c.", null, "\"C\""))
          .isEqualTo(1);
    }

    @Test
    void readsParenthesizedAndLineStartLetters() {
      assertThat(score("choice", "It must be (d) given the above", null, "\"D\"")).isEqualTo(1);
      assertThat(score("choice", "Reasoning...\nE) because", null, "\"e\"")).isEqualTo(1);
    }

    @Test
    void readsALoneLetter() {
      assertThat(score("choice", "  b. ", null, "\"B\"")).isEqualTo(1);
    }

    @Test
    void doesNotMistakeAnArticleForALetter() {
      GradeResult.Scored r = scored("choice", "The answer is a bit unclear", null, "\"A\"");
      assertThat(r.score()).isZero();
      assertThat(r.details()).containsEntry("extraction", "none");
    }

    @Test
    void rejectsATargetThatIsNotALetter() {
      assertThatThrownBy(() -> score("choice", "A", null, "\"F\""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("F");
    }
  }

  @Nested
  class Regex {
    @Test
    void scoresOneWhenThePatternFindsAMatch() {
      assertThat(score("regex", "The result is 42.", "{\"pattern\": \"\\\\b42\\\\b\"}", null))
          .isEqualTo(1);
      assertThat(score("regex", "The result is 420.", "{\"pattern\": \"\\\\b42\\\\b\"}", null))
          .isZero();
    }

    @Test
    void honoursFlags() {
      assertThat(score("regex", "HELLO", "{\"pattern\": \"hello\"}", null)).isZero();
      assertThat(score("regex", "HELLO", "{\"pattern\": \"hello\", \"flags\": \"i\"}", null))
          .isEqualTo(1);
      assertThat(score("regex", "a\nb", "{\"pattern\": \"a.b\", \"flags\": \"s\"}", null))
          .isEqualTo(1);
      assertThat(score("regex", "x\nb", "{\"pattern\": \"^b$\", \"flags\": \"m\"}", null))
          .isEqualTo(1);
    }

    @Test
    void catastrophicBacktrackingIsAGradingErrorWithinTheBudget() {
      long start = System.nanoTime();
      GradeResult r =
          graders.forType("regex").grade("a,".repeat(200), "{\"pattern\": \"(.*,){6}P\"}", null);
      assertThat(r).isInstanceOf(GradeResult.Failed.class);
      assertThat(((GradeResult.Failed) r).reason()).contains("did not finish within");
      assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
    }

    @Test
    void aPatternThatOverflowsTheStackIsAGradingError() {
      GradeResult r =
          graders.forType("regex").grade("ab".repeat(200_000), "{\"pattern\": \"^(a|b)*$\"}", null);
      assertThat(r).isInstanceOf(GradeResult.Failed.class);
      assertThat(((GradeResult.Failed) r).reason()).contains("overflowed the stack");
      // the grader still works afterwards
      assertThat(score("regex", "ab", "{\"pattern\": \"^(a|b)*$\"}", null)).isEqualTo(1);
    }

    @Test
    void badOptionsAreRejectedNamingOptionAndValue() {
      assertThatThrownBy(() -> score("regex", "x", "{}", null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pattern");
      assertThatThrownBy(() -> score("regex", "x", "{\"pattern\": \"x\", \"flags\": \"q\"}", null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("flags")
          .hasMessageContaining("q");
      assertThatThrownBy(() -> score("regex", "x", "{\"pattern\": \"(unclosed\"}", null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pattern")
          .hasMessageContaining("(unclosed");
    }
  }
}
