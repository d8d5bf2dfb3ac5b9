package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Graders#validate} checks a dataset line's grader reference before a run starts. No sandbox
 * exists here (the paths lead nowhere), so validation provably never runs Python.
 */
class ValidationTest {
  private static final BwrapSandbox NO_SANDBOX =
      new BwrapSandbox(Path.of("/nonexistent/bwrap"), Path.of("/nonexistent/python3"));
  private static final Graders GRADERS = new Graders(NO_SANDBOX);

  @ParameterizedTest(name = "[{index}] {0} {1} {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "exact|NULL|\"Paris\"",
        "exact|{\"case_sensitive\": true, \"strip_articles\": false}|\"Paris\"",
        "exact|{}|42",
        "numeric|{\"abs_tol\": 0.5, \"rel_tol\": 0.01}|3.14",
        "numeric|NULL|\"1,234.5\"",
        "choice|{}|\"c\"",
        "regex|{\"pattern\": \"\\\\b42\\\\b\", \"flags\": \"im\"}|NULL",
        "challenge|NULL|NULL",
        "challenge|{}|NULL",
        "code|{\"function\": \"f\", \"tests\": [{\"input\": [1], \"expected\": 2}]}|NULL",
        "code|{\"asserts\": [\"assert f(1) == 2\"]}|NULL",
        "judge|NULL|NULL",
        "judge|{\"rubric\": \"Is it polite?\", \"model\": \"gpt-oss-120b\", \"max_tokens\": 512}|\"Paris\"",
        "judge|{}|{\"city\": \"Paris\"}"
      })
  void acceptsGoodOptionsWithoutASandbox(String type, String options, String target) {
    assertThatCode(() -> GRADERS.validate(type, options, target)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "[{index}] {0} {1} {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        // type | options | target | words the message must contain
        "fuzzy|{}|\"x\"|fuzzy;exact;challenge;judge",
        "exact|{\"case_sensitive\": \"yes\"}|\"x\"|case_sensitive;yes",
        "exact|{\"casesensitive\": true}|\"x\"|casesensitive",
        "exact|{not json|\"x\"|options;{not json",
        "exact|[1]|\"x\"|options;[1]",
        "exact|{}|NULL|target;null",
        "exact|{}|[1, 2]|target;[1, 2]",
        "exact|{}|{oops|target;{oops",
        "numeric|{\"abs_tol\": -1}|1|abs_tol;-1",
        "numeric|{\"rel_tol\": \"big\"}|1|rel_tol;big",
        "numeric|{}|\"many\"|target;many",
        "numeric|{}|NULL|target;null",
        "choice|{}|\"F\"|target;F",
        "choice|{\"letters\": \"ABC\"}|\"A\"|letters",
        "regex|{}|NULL|pattern;null",
        "regex|{\"pattern\": \"(unclosed\"}|NULL|pattern;(unclosed",
        "regex|{\"pattern\": \"x\", \"flags\": \"q\"}|NULL|flags;q",
        "regex|{\"pattern\": \"x\", \"flags\": 1}|NULL|flags;1",
        "challenge|{\"strict\": true}|NULL|strict",
        "code|{}|NULL|tests;asserts",
        "code|{\"function\": \"a b\", \"tests\": []}|NULL|function;a b",
        "code|{\"tests\": [{\"input\": [1], \"expected\": 2}]}|NULL|function;null",
        "code|{\"function\": \"f\", \"tests\": [{\"input\": 1, \"expected\": 2}]}|NULL|tests'[0];\"input\":1",
        "code|{\"function\": \"f\", \"tests\": [{\"input\": [1]}]}|NULL|tests'[0]",
        "code|{\"function\": \"f\", \"tests\": [{\"input\": [1], \"expected\": 1, \"expect\": 1}]}|NULL|tests'[0];expect",
        "code|{\"function\": \"f\", \"tests\": {\"input\": [1]}}|NULL|tests;input",
        "code|{\"asserts\": [\"assert 1\", 2]}|NULL|asserts'[1];2",
        "code|{\"asserts\": \"assert f(1)\"}|NULL|asserts;assert f(1)",
        "code|{\"function\": \"f\", \"asserts\": [\"\"], \"tests\": []}|NULL|asserts'[0]",
        "judge|{\"rubric\": 5}|NULL|rubric;5",
        "judge|{\"rubric\": \" \"}|NULL|rubric",
        "judge|{\"model\": \"\"}|NULL|model",
        "judge|{\"model\": [\"a\"]}|NULL|model;[\"a\"]",
        "judge|{\"max_tokens\": 0}|NULL|max_tokens;0",
        "judge|{\"max_tokens\": 1.5}|NULL|max_tokens;1.5",
        "judge|{\"max_tokens\": \"100\"}|NULL|max_tokens;100",
        "judge|{\"max_tokens\": 100000}|NULL|max_tokens;100000",
        "judge|{\"temperature\": 0}|NULL|temperature",
        "judge|{}|{not json|target;{not json"
      })
  void rejectsBadOptionsNamingTheOptionAndValue(
      String type, String options, String target, String words) {
    var thrown =
        assertThatThrownBy(() -> GRADERS.validate(type, options, target))
            .isInstanceOf(IllegalArgumentException.class);
    for (String w : words.split(";")) {
      thrown.hasMessageContaining(w);
    }
  }

  @ParameterizedTest(name = "[{index}] {0} {1} {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "exact|{\"case_sensitive\": 1}|\"x\"",
        "numeric|{\"abs_tol\": -1}|1",
        "choice|{}|\"Z\"",
        "regex|{\"pattern\": \"[\"}|NULL",
        "challenge|{\"x\": 1}|NULL",
        "code|{\"function\": \"f\"}|NULL",
        "judge|{\"max_tokens\": -1}|NULL"
      })
  void gradeRejectsWhatValidateRejectsWithTheSameMessage(
      String type, String options, String target) {
    Grader grader = GRADERS.forType(type);
    String expected = null;
    try {
      grader.validate(options, target);
    } catch (IllegalArgumentException e) {
      expected = e.getMessage();
    }
    org.assertj.core.api.Assertions.assertThat(expected).isNotNull();
    assertThatThrownBy(
            () -> grader.grade("```python\ndef f(x):\n    return x\n```", options, target))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(expected);
  }
}
