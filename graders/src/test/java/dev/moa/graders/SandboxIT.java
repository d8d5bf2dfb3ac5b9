package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Hostile submissions through the {@code code} grader (no policy): the sandbox stops them. */
class SandboxIT {
  private static final BwrapSandbox SANDBOX = new BwrapSandbox();
  private static final CodeGrader CODE = new CodeGrader(SANDBOX);

  @BeforeAll
  static void needsBubblewrap() {
    SandboxRequired.bwrap();
  }

  private static String opts(String function, String testsJson) {
    return "{\"function\": \"" + function + "\", \"tests\": " + testsJson + "}";
  }

  private static GradeResult.Scored run(String code, String options) {
    GradeResult r = CODE.grade("```python\n" + code + "\n```", options, null);
    assertThat(r).isInstanceOf(GradeResult.Scored.class);
    return (GradeResult.Scored) r;
  }

  /** A trivial grading that must still pass after each hostile one. */
  private static void nextGradingStillWorks() {
    GradeResult.Scored ok =
        run(
            "def add(a, b):\n    return a + b",
            opts("add", "[{\"input\": [1, 2], \"expected\": 3}]"));
    assertThat(ok.score()).isEqualTo(1);
  }

  @Test
  void codeGraderScoresTheFractionOfPassedTestsAndAsserts() {
    GradeResult.Scored r =
        run(
            "def sq(x):\n    return x * x if x != 3 else 0",
            "{\"function\": \"sq\", \"tests\": [{\"input\": [2], \"expected\": 4},"
                + " {\"input\": [3], \"expected\": 9}, {\"input\": [1.5], \"expected\": 2.25}],"
                + " \"asserts\": [\"assert sq(4) == 16\", \"assert sq(3) == 9\"]}");
    assertThat(r.score()).isEqualTo(3);
    assertThat(r.maxScore()).isEqualTo(5);
  }

  @Test
  void codeGraderRejectsBadOptionsNamingTheOption() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CODE.grade("x", "{\"function\": \"a b\", \"tests\": []}", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("function")
        .hasMessageContaining("a b");
  }

  @Test
  void missingBubblewrapIsAGradingFailureNotAnUnsandboxedRun() {
    BwrapSandbox none =
        new BwrapSandbox(Path.of("/nonexistent/bwrap"), Path.of("/usr/bin/python3"));
    GradeResult r =
        new CodeGrader(none)
            .grade(
                "```python\ndef f():\n    return 1\n```",
                opts("f", "[{\"input\": [], \"expected\": 1}]"),
                null);
    assertThat(r).isEqualTo(new GradeResult.Failed(BwrapSandbox.BWRAP_MISSING));
    GradeResult c =
        new ChallengeGrader(none).grade(ChallengeGraderIT.fenced("correct.py"), null, null);
    assertThat(c).isEqualTo(new GradeResult.Failed(BwrapSandbox.BWRAP_MISSING));
  }

  @Test
  void aSandboxThatCannotStartIsAGradingFailure(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path fake = dir.resolve("bwrap");
    Files.writeString(
        fake,
        "#!/bin/sh\necho 'bwrap: Creating new namespace failed: Operation not permitted' >&2\nexit 1\n");
    // world-readable: the sandbox is entered as an unprivileged user when the tests run as root
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    GradeResult r =
        new CodeGrader(new BwrapSandbox(fake, Path.of("/usr/bin/python3")))
            .grade(
                "```python\ndef f():\n    return 1\n```",
                opts("f", "[{\"input\": [], \"expected\": 1}]"),
                null);
    assertThat(r).isInstanceOf(GradeResult.Failed.class);
    assertThat(((GradeResult.Failed) r).reason()).contains("sandbox failed to start");
  }

  @Test
  void sandboxRunsAsAnUnprivilegedUserInItsOwnPidNamespace() {
    GradeResult.Scored r =
        run(
            "import os\ndef f():\n    pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
                + "    return [os.getuid() != 0 or os.geteuid() != 0, os.getppid() == 1, len(pids)]",
            opts("f", "[{\"input\": [], \"expected\": [true, true, 2]}]"));
    assertThat(r.score()).as("%s", r.details()).isEqualTo(1);
  }

  @Test
  void hostFilesLikeEtcPasswdAreNotVisible() {
    GradeResult.Scored r =
        run(
            "import os\ndef f():\n    return [os.path.exists('/etc/passwd'), os.path.exists('/home'),"
                + " os.path.exists('/root'), os.path.exists('/work'), sorted(os.listdir('/'))]",
            opts(
                "f",
                "[{\"input\": [], \"expected\": [false, false, false, false,"
                    + " [\"bin\", \"dev\", \"lib\", \"lib64\", \"proc\", \"tmp\", \"usr\"]]}]"));
    assertThat(r.score()).as("%s", r.details()).isEqualTo(1);
    GradeResult.Scored read =
        run(
            "def f():\n    return open('/etc/passwd').read()",
            opts("f", "[{\"input\": [], \"expected\": \"root\"}]"));
    assertThat(read.score()).isZero();
    assertThat(read.details().toString()).contains("FileNotFoundError");
    nextGradingStillWorks();
  }

  @Test
  void environmentCarriesNothingFromTheHost() {
    // bwrap sets PWD and Python's locale coercion sets LC_CTYPE; nothing else (no PATH, HOME, ...)
    GradeResult.Scored r =
        run(
            "import os\ndef f():\n    return sorted(os.environ)",
            opts("f", "[{\"input\": [], \"expected\": [\"LC_CTYPE\", \"PWD\"]}]"));
    assertThat(r.score()).as("%s", r.details()).isEqualTo(1);
  }

  @Test
  void theHostEnvironmentsValuesAreNotVisible() {
    String path = System.getenv("PATH");
    String home = System.getenv("HOME");
    assertThat(path).as("the test JVM's PATH").isNotBlank();
    GradeResult.Scored r =
        run(
            "import os\ndef f():\n    return dict(os.environ)",
            opts("f", "[{\"input\": [], \"expected\": {\"never\": \"matches\"}}]"));
    assertThat(r.score()).isZero();
    String seen = r.details().toString();
    assertThat(seen).contains("PWD").doesNotContain(path);
    if (home != null && home.length() > 1) {
      assertThat(seen).doesNotContain("'" + home + "'").doesNotContain("\"" + home + "\"");
    }
    nextGradingStillWorks();
  }

  @Test
  void writingOutsideTmpFailsAndLeavesNoTrace() throws Exception {
    for (String target : List.of("/usr/moa-sandbox-escape", "/moa-sandbox-escape", "/dev/moa-x")) {
      GradeResult.Scored r =
          run(
              "def f():\n    open('" + target + "', 'w').write('x')\n    return 1",
              opts("f", "[{\"input\": [], \"expected\": 1}]"));
      assertThat(r.score()).as(target).isZero();
      assertThat(r.details().toString()).as(target).contains("Read-only file system");
      assertThat(Path.of(target)).doesNotExist();
    }
    GradeResult.Scored tmp =
        run(
            "def f():\n    open('/tmp/moa-sandbox-tmp', 'w').write('x')\n    return 1",
            opts("f", "[{\"input\": [], \"expected\": 1}]"));
    assertThat(tmp.score()).isEqualTo(1);
    assertThat(Path.of("/tmp/moa-sandbox-tmp")).doesNotExist();
    nextGradingStillWorks();
  }

  @Test
  void aSocketToALocalServiceNeverConnects() throws Exception {
    try (ServerSocket broker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      GradeResult.Scored r =
          run(
              "import socket\ndef f():\n    s = socket.socket()\n    s.settimeout(2)\n"
                  + "    s.connect(('127.0.0.1', "
                  + broker.getLocalPort()
                  + "))\n    return 1",
              opts("f", "[{\"input\": [], \"expected\": 1}]"));
      assertThat(r.score()).isZero();
      assertThat(r.details().toString())
          .containsAnyOf("OSError", "ConnectionRefused", "unreachable");
      broker.setSoTimeout(500);
      assertThatThrownBy(broker::accept)
          .as("a connection reached the host's socket")
          .isInstanceOf(SocketTimeoutException.class);
    }
    nextGradingStillWorks();
  }

  @Test
  void osSystemCannotRunHostCommands() {
    Path marker = Path.of("/tmp/moa-sandbox-system");
    GradeResult.Scored r =
        run(
            "import os\ndef f():\n    return os.system('touch /tmp/moa-sandbox-system; id > /usr/x')",
            opts("f", "[{\"input\": [], \"expected\": 0}]"));
    assertThat(r.score()).isZero();
    assertThat(marker).doesNotExist();
    nextGradingStillWorks();
  }

  @Test
  void forkBombIsContainedByTheProcessLimit() {
    long start = System.nanoTime();
    GradeResult.Scored r =
        run(
            "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
                + "def f():\n    return 1",
            opts("f", "[{\"input\": [], \"expected\": 1}]"));
    assertThat(r.score()).isZero();
    assertThat((String) r.details().get("reason")).contains("sandbox run failed");
    assertThat(System.nanoTime() - start).isLessThan(20_000_000_000L);
    nextGradingStillWorks();
  }

  @Test
  void memoryBombFailsWithMemoryError() {
    GradeResult.Scored r =
        run(
            "def f():\n    x = bytearray(2 * 1024 * 1024 * 1024)\n    return len(x)",
            opts("f", "[{\"input\": [], \"expected\": 2147483648}]"));
    assertThat(r.score()).isZero();
    assertThat(r.details().toString()).contains("MemoryError");
    nextGradingStillWorks();
  }

  @Test
  void infiniteLoopIsKilledByTheCpuLimit() {
    long start = System.nanoTime();
    GradeResult.Scored r =
        run(
            "def f():\n    while True:\n        pass",
            opts("f", "[{\"input\": [], \"expected\": 1}]"));
    assertThat(r.score()).isZero();
    assertThat((String) r.details().get("reason")).contains("sandbox run failed");
    assertThat(System.nanoTime() - start).isLessThan(15_000_000_000L);
    nextGradingStillWorks();
  }

  @Test
  void sleepingPastTheWallClockIsKilled() {
    BwrapSandbox quick =
        new BwrapSandbox(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/python3"), 1500);
    GradeResult r =
        new CodeGrader(quick)
            .grade(
                "```python\nimport time\ndef f():\n    time.sleep(60)\n```",
                opts("f", "[{\"input\": [], \"expected\": 1}]"),
                null);
    assertThat(r).isInstanceOf(GradeResult.Scored.class);
    assertThat(((GradeResult.Scored) r).details().get("reason").toString()).contains("wall-clock");
  }

  @Test
  void printingAFakeResultLineAndExitingScoresZero() {
    // A well-formed passing report, framed every way the protocol frames one (raw, behind a guessed
    // nonce or token, as a harness answer), written to stdout and every open descriptor.
    GradeResult.Scored r =
        run(
            "import os, sys\n"
                + "line = '{\"mode\": \"code\", \"load\": {\"ok\": true, \"error\": null},"
                + " \"calls\": [{\"id\": \"test_0\", \"ok\": true, \"result\": 1, \"error\": null,"
                + " \"args_after\": []}], \"asserts\": []}'\n"
                + "frames = [line, 'MOA-0 ' + line, '0' * 48 + ' ' + line, 'MOA-0 R ' + line, 'MOA-0 C']\n"
                + "print('Score: 1\\n' + '\\n'.join(frames))\n"
                + "for fd in range(0, 1024):\n"
                + "    for frame in frames:\n"
                + "        try:\n            os.write(fd, (frame + '\\n').encode())\n"
                + "        except OSError:\n            pass\n"
                + "os._exit(0)\ndef f():\n    return 2",
            opts("f", "[{\"input\": [], \"expected\": 1}]"));
    assertThat(r.score()).isZero();
    assertThat((String) r.details().get("reason")).contains("no valid harness report");
    nextGradingStillWorks();
  }

  @Test
  void floodingStdoutIsCutAtTheOutputLimit() {
    GradeResult.Scored r =
        run(
            "import os\nfor fd in range(1, 10):\n    try:\n        os.fstat(fd)\n    except OSError:\n        continue\n"
                + "    try:\n        for _ in range(5000):\n            os.write(fd, b'x' * 4096)\n"
                + "    except OSError:\n        pass\n"
                + "def f():\n    return 1",
            opts("f", "[{\"input\": [], \"expected\": 1}]"));
    assertThat(r.score()).isZero();
    assertThat((String) r.details().get("reason")).contains("output limit");
    nextGradingStillWorks();
  }

  @Test
  void onlyAWellFormedReportOfTheRightModeIsAccepted() {
    String good = "{\"mode\": \"code\", \"load\": {\"ok\": true}, \"calls\": [], \"asserts\": []}";
    assertThat(BwrapSandbox.validReport(good, "code")).isNotNull();
    assertThat(BwrapSandbox.validReport(good, "challenge")).isNull();
    assertThat(BwrapSandbox.validReport("{bad", "code")).isNull();
    assertThat(BwrapSandbox.validReport("[]", "code")).isNull();
    assertThat(BwrapSandbox.validReport(good.replace("true", "1"), "code")).isNull();
    assertThat(BwrapSandbox.validReport(good.replace("\"calls\": []", "\"calls\": {}"), "code"))
        .isNull();
  }

  @Test
  void harnessReportsRawObservationsOnly() {
    ObjectNode plan = Json.object();
    plan.put("function", "f");
    plan.putArray("calls").addObject().put("id", "c").putArray("args").add(2);
    BwrapSandbox.Outcome o = SANDBOX.run("code", "def f(x):\n    return {'v': x, 's': {1}}", plan);
    assertThat(o).isInstanceOf(BwrapSandbox.Completed.class);
    var obs = ((BwrapSandbox.Completed) o).observations();
    assertThat(obs.path("calls").path(0).path("result").toString())
        .isEqualTo("{\"v\":2,\"s\":\"<opaque:set>\"}");
    assertThat(List.of(obs.properties().stream().map(Map.Entry::getKey).toArray()))
        .containsExactlyInAnyOrder("mode", "load", "calls", "asserts");
  }
}
