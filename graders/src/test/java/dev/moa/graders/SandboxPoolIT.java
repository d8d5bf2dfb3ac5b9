package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A warm sandbox serves many gradings: nothing one grading leaves behind (processes, files, a
 * harmed harness, IPC objects) may reach the next one. A pool of one sandbox makes every grading
 * run in the same sandbox unless it was discarded.
 */
class SandboxPoolIT {
  private static final Path BWRAP = Path.of("/usr/bin/bwrap");
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  @BeforeAll
  static void needsBubblewrap() {
    SandboxRequired.bwrap();
  }

  /** One sandbox that is reused (the opt-in mode), so that its cleaning between gradings shows. */
  private static BwrapSandbox single() {
    return new BwrapSandbox(BWRAP, PYTHON, 10_000, 1, 256);
  }

  private static String pidNamespaceOfAGrading(BwrapSandbox sandbox) {
    GradeResult r =
        new CodeGrader(sandbox)
            .grade(
                "```python\nimport os\ndef f():\n    return os.readlink('/proc/self/ns/pid')\n```",
                "{\"function\": \"f\", \"tests\": [{\"input\": [], \"expected\": \"?\"}]}",
                null);
    assertThat(r).isInstanceOf(GradeResult.Scored.class);
    @SuppressWarnings("unchecked")
    var results =
        (java.util.List<java.util.Map<String, Object>>)
            ((GradeResult.Scored) r).details().get("results");
    return String.valueOf(results.get(0).get("actual"));
  }

  @Test
  void byDefaultEveryGradingRunsInItsOwnBubblewrapSandbox() {
    try (BwrapSandbox fresh = new BwrapSandbox(BWRAP, PYTHON, 10_000, 1);
        BwrapSandbox reused = single()) {
      String first = pidNamespaceOfAGrading(fresh);
      String second = pidNamespaceOfAGrading(fresh);
      assertThat(first).startsWith("\"pid:[");
      assertThat(second).as("a new sandbox (new PID namespace) per grading").isNotEqualTo(first);

      assertThat(pidNamespaceOfAGrading(reused))
          .as("the opt-in reuse keeps the sandbox")
          .isEqualTo(pidNamespaceOfAGrading(reused));
    }
  }

  private static GradeResult.Scored grade(BwrapSandbox sandbox, String code, String expectedJson) {
    GradeResult r =
        new CodeGrader(sandbox)
            .grade(
                "```python\n" + code + "\n```",
                "{\"function\": \"f\", \"tests\": [{\"input\": [], \"expected\": "
                    + expectedJson
                    + "}]}",
                null);
    assertThat(r).isInstanceOf(GradeResult.Scored.class);
    return (GradeResult.Scored) r;
  }

  /** The next grading sees a pristine sandbox: only PID 1 and itself, an empty, writable /tmp. */
  private static void nextGradingSeesACleanSandbox(BwrapSandbox sandbox) {
    GradeResult.Scored r =
        grade(
            sandbox,
            "import os\ndef f():\n    pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
                + "    before = sorted(os.listdir('/tmp'))\n"
                + "    open('/tmp/probe', 'w').write('x')\n"
                + "    return [pids[0], len(pids), before, open('/proc/sysvipc/shm').read().count('\\n')]",
            "[1, 2, [], 1]");
    assertThat(r.score()).as("%s", r.details()).isEqualTo(1);
  }

  private static boolean hostRuns(String marker) {
    return ProcessHandle.allProcesses()
        .anyMatch(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
  }

  @Test
  void backgroundProcessesDieWithTheirGrading() throws Exception {
    try (BwrapSandbox sandbox = single()) {
      GradeResult.Scored r =
          grade(
              sandbox,
              "import os, time\n"
                  + "os.system('sleep 987.654 &')\n"
                  + "if os.fork() == 0:\n"
                  + "    os.setsid()\n"
                  + "    while True:\n"
                  + "        open('/tmp/ticker', 'a').write('x')\n"
                  + "        time.sleep(0.01)\n"
                  + "time.sleep(0.2)\n"
                  + "def f():\n    return sorted(os.listdir('/tmp'))",
              "[\"never\"]");
      assertThat(r.score()).isZero();
      assertThat(r.details().toString()).contains("ticker");
      assertThat(hostRuns("sleep 987.654")).as("the sandbox's sleep survived").isFalse();
      nextGradingSeesACleanSandbox(sandbox);
      assertThat(sandbox.sandboxesStarted()).isEqualTo(1);
    }
  }

  @Test
  void filesAndPermissionsInTmpDoNotCarryOver() {
    try (BwrapSandbox sandbox = single()) {
      GradeResult.Scored r =
          grade(
              sandbox,
              "import os\n"
                  + "os.makedirs('/tmp/d/e')\n"
                  + "open('/tmp/d/e/f', 'w').write('x')\n"
                  + "os.symlink('/proc/1', '/tmp/link')\n"
                  + "os.chmod('/tmp/d/e', 0)\n"
                  + "os.chmod('/tmp/d', 0)\n"
                  + "os.chmod('/tmp', 0o500)\n"
                  + "def f():\n    return 0",
              "1");
      assertThat(r.score()).isZero();
      nextGradingSeesACleanSandbox(sandbox);
      assertThat(sandbox.sandboxesStarted()).isEqualTo(1);
    }
  }

  @Test
  void theHarnessCannotBeSignalledReadOrHijacked() {
    try (BwrapSandbox sandbox = single()) {
      GradeResult.Scored r =
          grade(
              sandbox,
              "import os, signal\n"
                  + "def attempt(fn):\n"
                  + "    try:\n        fn()\n        return 'done'\n"
                  + "    except OSError as e:\n        return type(e).__name__\n"
                  + "def f():\n"
                  + "    out = [attempt(lambda: open('/proc/1/mem', 'rb').read(1)),\n"
                  + "           attempt(lambda: os.listdir('/proc/1/fd')),\n"
                  + "           attempt(lambda: os.open('/proc/1/fd/1', os.O_WRONLY)),\n"
                  + "           attempt(lambda: open('/proc/1/environ').read())]\n"
                  + "    for sig in (signal.SIGSTOP, signal.SIGINT, signal.SIGTERM, signal.SIGKILL):\n"
                  + "        os.kill(1, sig)\n"
                  + "    return out",
              "[\"PermissionError\", \"PermissionError\", \"PermissionError\","
                  + " \"PermissionError\"]");
      assertThat(r.score()).as("%s", r.details()).isEqualTo(1);
      // the same harness (no new sandbox) still grades
      nextGradingSeesACleanSandbox(sandbox);
      assertThat(sandbox.sandboxesStarted()).isEqualTo(1);
    }
  }

  @Test
  void aSandboxWithSysVIpcLeftoversIsDiscarded() {
    try (BwrapSandbox sandbox = single()) {
      GradeResult.Scored r =
          grade(
              sandbox,
              "import ctypes\n"
                  + "libc = ctypes.CDLL(None)\n"
                  + "def f():\n    return libc.shmget(0, 4096, 0o1600) >= 0",
              "true");
      assertThat(r.score()).as("%s", r.details()).isEqualTo(1);
      nextGradingSeesACleanSandbox(sandbox);
      assertThat(sandbox.sandboxesStarted()).isEqualTo(2);
    }
  }

  @Test
  void aSandboxThatOverranTheWallClockIsReplaced() {
    try (BwrapSandbox sandbox = new BwrapSandbox(BWRAP, PYTHON, 1_500, 1)) {
      GradeResult.Scored r = grade(sandbox, "import time\ndef f():\n    time.sleep(60)", "1");
      assertThat((String) r.details().get("reason")).contains("wall-clock limit of 1500 ms");
      nextGradingSeesACleanSandbox(sandbox);
      assertThat(sandbox.sandboxesStarted()).isEqualTo(2);
    }
  }

  @Test
  void aSandboxIsRecycledAfterItsMaximumUses() {
    try (BwrapSandbox sandbox = new BwrapSandbox(BWRAP, PYTHON, 10_000, 1, 2)) {
      for (int i = 0; i < 5; i++) {
        assertThat(grade(sandbox, "def f():\n    return 1", "1").score()).isEqualTo(1);
      }
      assertThat(sandbox.sandboxesStarted()).isEqualTo(3);
    }
  }

  @Test
  void parallelGradingsShareAtMostPoolSizeReusedSandboxes() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try (BwrapSandbox sandbox = new BwrapSandbox(BWRAP, PYTHON, 10_000, 2, 256)) {
      List<Future<GradeResult.Scored>> futures = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        int n = i;
        futures.add(
            pool.submit(
                () -> grade(sandbox, "def f():\n    return " + n + " * 2", String.valueOf(2 * n))));
      }
      for (Future<GradeResult.Scored> f : futures) {
        assertThat(f.get().score()).isEqualTo(1);
      }
      assertThat(sandbox.sandboxesStarted()).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sandboxesStartedByARetiredThreadKeepServing() throws Exception {
    // bubblewrap's --die-with-parent follows the thread that started it: sandboxes are started
    // from the pool's own thread, so a grading thread that ends takes no sandbox with it.
    try (BwrapSandbox sandbox = single()) {
      ExecutorService first = Executors.newSingleThreadExecutor();
      assertThat(first.submit(() -> grade(sandbox, "def f():\n    return 1", "1")).get().score())
          .isEqualTo(1);
      first.shutdown();
      assertThat(first.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      assertThat(grade(sandbox, "def f():\n    return 1", "1").score()).isEqualTo(1);
      assertThat(sandbox.sandboxesStarted()).isEqualTo(1);
    }
  }

  @Test
  void aClosedPoolRefusesToGrade() {
    BwrapSandbox sandbox = single();
    assertThat(grade(sandbox, "def f():\n    return 1", "1").score()).isEqualTo(1);
    sandbox.close();
    assertThat(sandbox.run("code", "x = 1", Json.object()))
        .isEqualTo(new BwrapSandbox.Unavailable("the sandbox pool is closed"));
  }

  @Test
  void emptySandboxStartsAreTimedWithTheGradingSandboxCommand() throws Exception {
    try (BwrapSandbox sandbox = new BwrapSandbox(BWRAP, PYTHON, 10_000, 2)) {
      assertThat(sandbox.emptySandboxStartsPerSecond(4, 2)).isPositive();
    }
    BwrapSandbox broken = new BwrapSandbox(BWRAP, Path.of("/usr/bin/false"), 10_000, 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> broken.emptySandboxStartsPerSecond(1, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code");
  }
}
