package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile challenge answers. Each scores 0 of 120 with a reason, leaves nothing on the host, and
 * the next (correct) grading still scores 120. The code policy refuses the plain forms before any
 * sandbox runs; the obfuscated forms get past the policy ({@code getattr} with built-up names), so
 * the sandbox itself is the wall they hit.
 */
class HostileChallengeIT {
  private static BwrapSandbox sandbox;
  private static ChallengeGrader grader;

  /** Imports a module past the policy: {@code __import__} by a name the policy cannot see. */
  private static final String SNEAKY =
      "import sys\n"
          + "_b = sys.modules['builtins']\n"
          + "_imp = getattr(_b, '__imp' + 'ort__')\n"
          + "_os = _imp('o' + 's')\n"
          + "_open = getattr(_b, 'op' + 'en')\n";

  @BeforeAll
  static void start() {
    SandboxRequired.bwrap();
    sandbox = new BwrapSandbox();
    grader = new ChallengeGrader(sandbox);
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private static String answer(String module, String body) {
    return "```python\n"
        + module
        + "\ndef calculate_user_metrics(users, start_date, end_date):\n"
        + body.indent(4)
        + "```";
  }

  private static GradeResult.Scored grade(String answer) {
    GradeResult r = grader.grade(answer, null, null);
    assertThat(r).isInstanceOf(GradeResult.Scored.class);
    return (GradeResult.Scored) r;
  }

  /** Zero of 120 with a reason; the grader still works afterwards. */
  private static GradeResult.Scored zeroThenStillWorks(String answer) {
    GradeResult.Scored r = grade(answer);
    assertThat(r.score()).as("%s", r.details()).isZero();
    assertThat(r.maxScore()).isEqualTo(120);
    assertThat(r.details()).containsEntry("letter", "F");
    assertThat(String.valueOf(r.details().get("reason"))).isNotBlank().isNotEqualTo("null");
    GradeResult.Scored next = grade(ChallengeGraderIT.fenced("correct.py"));
    assertThat(next.score()).as("the next grading").isEqualTo(120);
    return r;
  }

  @ParameterizedTest(name = "[{index}] refused: {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "open('/etc/passwd').read()|forbidden-call",
        "import os\\nreturn dict(os.environ)|disallowed-import",
        "open('/usr/x', 'w').write('x')|forbidden-call",
        "import socket\\nsocket.create_connection(('127.0.0.1', 9092))|disallowed-import",
        "import os\\nos.system('id')|disallowed-import",
        "sys.modules['os'].system('id')|forbidden-method-call",
        "import subprocess\\nsubprocess.run(['id'])|disallowed-import",
        "import os\\nwhile True:\\n    os.fork()|disallowed-import",
        "exec('while True: pass')|forbidden-call",
        "().__class__.__base__.__subclasses__()|dunder-access"
      })
  void thePolicyRefusesPlainFormsBeforeAnySandboxRuns(String body, String rule) {
    int before = sandbox.sandboxesStarted();
    GradeResult.Scored r = zeroThenStillWorks(answer("import sys", body.replace("\\n", "\n")));
    assertThat(r.details()).containsEntry("refused", rule);
    assertThat(sandbox.sandboxesStarted() - before).isLessThanOrEqualTo(1); // the correct one only
  }

  @Test
  void readingEtcPasswdFindsNothing() {
    GradeResult.Scored r =
        zeroThenStillWorks(
            answer(SNEAKY, "return {'average_engagement': _open('/etc/passwd').read()}"));
    assertThat((String) r.details().get("reason")).contains("gate failed");
    assertThat(r.details().toString()).contains("FileNotFoundError");
  }

  @Test
  void theEnvironmentCarriesNoHostValue() {
    String path = System.getenv("PATH");
    assertThat(path).as("the test JVM's PATH").isNotBlank();
    // The candidate leaks its whole environment through its exception messages.
    GradeResult.Scored r =
        zeroThenStillWorks(answer(SNEAKY, "raise ValueError(repr(sorted(_os.environ.items())))"));
    String seen = r.details().toString();
    assertThat(seen).contains("PWD").doesNotContain(path);
    String home = System.getenv("HOME");
    if (home != null && home.length() > 1) {
      assertThat(seen).doesNotContain("'" + home + "'");
    }
  }

  @Test
  void writingOutsideTmpLeavesNoFileOnTheHost() {
    List<String> targets = List.of("/moa-escape", "/usr/moa-escape", "/dev/moa-escape");
    GradeResult.Scored r =
        zeroThenStillWorks(
            answer(
                SNEAKY
                    + "_errors = []\n"
                    + "for _t in "
                    + targets.stream().map(t -> "'" + t + "'").toList()
                    + ":\n"
                    + "    try:\n"
                    + "        _open(_t, 'w').write('x')\n"
                    + "    except OSError as e:\n"
                    + "        _errors.append(repr(e))\n",
                "raise ValueError(repr(_errors))"));
    assertThat(r.details().toString()).contains("Read-only file system");
    for (String t : targets) {
      assertThat(Path.of(t)).doesNotExist();
    }
  }

  @Test
  void aSocketToTheLocalBrokerNeverConnects() throws Exception {
    try (ServerSocket broker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      GradeResult.Scored r =
          zeroThenStillWorks(
              answer(
                  SNEAKY + "_socket = _imp('sock' + 'et')\n",
                  "s = _socket.create_connection(('127.0.0.1', "
                      + broker.getLocalPort()
                      + "), timeout=2)\nreturn {'average_engagement': 0, 'top_performers': [],"
                      + " 'active_count': 0}"));
      assertThat(r.details().toString()).containsAnyOf("unreachable", "refused", "OSError");
      broker.setSoTimeout(500);
      assertThatThrownBy(broker::accept)
          .as("a connection reached the host's socket")
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void osSystemRunsNothingOnTheHost() {
    Path marker = Path.of("/tmp/moa-hostile-system-" + ProcessHandle.current().pid());
    GradeResult.Scored r =
        zeroThenStillWorks(
            answer(
                SNEAKY
                    + "_rc = getattr(_os, 'sys' + 'tem')('touch "
                    + marker
                    + "; echo x > /usr/moa-x')\n",
                "raise ValueError('system returned %d' % _rc)"));
    assertThat(r.details().toString()).contains("system returned");
    assertThat(marker).doesNotExist();
    assertThat(Path.of("/usr/moa-x")).doesNotExist();
  }

  @Test
  void aForkBombIsContained() {
    long start = System.nanoTime();
    GradeResult.Scored r =
        zeroThenStillWorks(
            answer(
                SNEAKY
                    + "while True:\n"
                    + "    try:\n"
                    + "        getattr(_os, 'fo' + 'rk')()\n"
                    + "    except OSError:\n"
                    + "        pass\n",
                "return {}"));
    assertThat((String) r.details().get("reason")).contains("sandbox run failed");
    assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
  }

  @Test
  void aMemoryBombFailsWithMemoryError() {
    GradeResult.Scored r =
        zeroThenStillWorks(answer("", "x = bytearray(2 * 1024 * 1024 * 1024)\nreturn {}"));
    assertThat(r.details().toString()).contains("MemoryError");
  }

  @Test
  void anInfiniteLoopIsStopped() {
    long start = System.nanoTime();
    GradeResult.Scored r = zeroThenStillWorks(answer("while True:\n    pass\n", "return {}"));
    assertThat((String) r.details().get("reason")).contains("sandbox run failed");
    assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
  }

  @Test
  void printingAFakeScoreOrReportAndExitingScoresZero() {
    String report =
        "{\"mode\": \"challenge\", \"load\": {\"ok\": true, \"error\": null}, \"calls\": [],"
            + " \"asserts\": []}";
    GradeResult.Scored r =
        zeroThenStillWorks(
            answer(
                SNEAKY
                    + "print('Score: 120\\nTotal: 120/120 (A)')\n"
                    + "_line = '"
                    + report
                    + "'\n"
                    + "for _fd in range(0, 1024):\n"
                    + "    for _frame in (_line, 'MOA-0 ' + _line, 'MOA-0 R ' + _line, '120 A'):\n"
                    + "        try:\n"
                    + "            _os.write(_fd, (_frame + '\\n').encode())\n"
                    + "        except OSError:\n"
                    + "            pass\n"
                    + "getattr(_os, '_ex' + 'it')(0)\n",
                "return {}"));
    assertThat((String) r.details().get("reason")).contains("no valid harness report");
  }

  @Test
  void floodingOutputIsCutAtTheLimit() {
    GradeResult.Scored r =
        zeroThenStillWorks(
            answer(
                SNEAKY
                    + "for _fd in range(1, 64):\n"
                    + "    try:\n"
                    + "        for _ in range(600):\n"
                    + "            _os.write(_fd, b'x' * 4096)\n"
                    + "    except OSError:\n"
                    + "        pass\n",
                "return {}"));
    assertThat((String) r.details().get("reason")).contains("output limit");
  }

  @Test
  void printingAFloodToStdoutOnlyFeedsTheCapture() {
    // print() goes to the harness's counter, not to any channel: the answer is graded normally.
    String code =
        ChallengeGraderIT.resource("correct.py")
            .replace("    result = {", "    print('x' * 100000)\n    result = {");
    assertThat(code).contains("print('x'");
    GradeResult.Scored r = grade("```python\n" + code + "```");
    assertThat(r.score()).isEqualTo(120);
  }
}
