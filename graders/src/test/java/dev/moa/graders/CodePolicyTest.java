package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CodePolicyTest {

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "import os|disallowed-import",
        "import json, subprocess|disallowed-import",
        "from os import path|disallowed-import",
        "x = 1; import socket|disallowed-import",
        "from dateutil import tz|disallowed-import",
        "import dateutil.tz|disallowed-import",
        "exec('1')|forbidden-call",
        "y = eval('1+1')|forbidden-call",
        "compile('1', 'f', 'eval')|forbidden-call",
        "m = __import__('os')|forbidden-call",
        "open('/etc/passwd')|forbidden-call",
        "input()|forbidden-call",
        "sys.modules['os'].system('id')|forbidden-method-call",
        "x.popen('id')|forbidden-method-call",
        "x.spawnv(0, 'a', [])|forbidden-method-call",
        "x.call(['id'])|forbidden-method-call",
        "x.run(['id'])|forbidden-method-call",
        "print(().__class__)|dunder-access",
        "f.__globals__|dunder-access"
      })
  void refusesEachRuleByName(String code, String rule) {
    assertThat(CodePolicy.check(code)).get().extracting(CodePolicy.Violation::rule).isEqualTo(rule);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "import datetime",
        "from datetime import datetime, timedelta",
        "import heapq, math, json, logging, typing, sys",
        "from typing import List, Dict",
        "from dateutil import parser",
        "import dateutil.parser",
        "from dateutil.parser import parse",
        "input_data = opened = 1",
        "def f(evaluate):\n    return evaluate"
      })
  void acceptsAllowedCode(String code) {
    assertThat(CodePolicy.check(code)).isEmpty();
  }

  @Test
  void refusedChallengeSubmissionScoresZeroWithTheRuleBroken() {
    GradeResult r =
        new ChallengeGrader(new BwrapSandbox())
            .grade(
                "```python\nimport os\ndef calculate_user_metrics(u, s, e):\n    return {}\n```",
                null,
                null);
    assertThat(r).isInstanceOf(GradeResult.Scored.class);
    GradeResult.Scored s = (GradeResult.Scored) r;
    assertThat(s.score()).isZero();
    assertThat(s.maxScore()).isEqualTo(120);
    assertThat(s.details()).containsEntry("refused", "disallowed-import");
  }
}
