package dev.moa.graders;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs untrusted Python in bubblewrap sandboxes: all namespaces unshared (no network), empty
 * environment, read-only {@code /usr} (plus {@code /lib}, {@code /lib64}, {@code /bin}) and a
 * read-only root, a 16 MB tmpfs {@code /tmp} as the only writable place, non-root uid.
 *
 * <p>Sandboxes are started ahead of time: each one's PID 1 is a trusted harness ({@code
 * harness.py}) that never runs untrusted code itself. Per grading it forks a fresh child that
 * applies the limits (5 s CPU, 512 MB address space, 64 processes, 1 MB file size, no message
 * queues) before the candidate is loaded, runs it and reports raw observations; all scoring is done
 * in Java. By default a sandbox serves one grading and is then killed, so every grading runs in its
 * own bubblewrap process ({@link #DEFAULT_MAX_USES}). An operator may let a sandbox serve more
 * gradings ({@code maxUses}): after each one the harness kills and reaps every other process of the
 * sandbox and empties {@code /tmp}; a sandbox it cannot clean, one that overran the 10 s wall clock
 * (killed), or one that served {@code maxUses} gradings is discarded. At most {@code poolSize}
 * sandboxes run at once (one grading each); callers beyond that wait for a free one. When Java runs
 * as root the sandbox is entered as uid/gid 65534 via setpriv so that the process limit applies
 * (root is exempt from RLIMIT_NPROC).
 */
public final class BwrapSandbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BwrapSandbox.class);
  public static final String BWRAP_MISSING =
      "bubblewrap (bwrap) is not installed; code graders refuse to run untrusted code without it";

  /** Cap on a candidate's report, enforced by the harness (the candidate's output is discarded). */
  static final int MAX_STDOUT = 1024 * 1024;

  /** Cap on one harness line: the report JSON-escaped, with room to spare. */
  static final int MAX_LINE = 8 * MAX_STDOUT;

  static final int MAX_STDERR = 64 * 1024;
  static final long START_TIMEOUT_MILLIS = 30_000;
  private static final long CLEAN_TIMEOUT_NANOS = 5_000_000_000L;
  public static final long DEFAULT_WALL_MILLIS = 10_000;

  /**
   * Gradings one sandbox serves before it is discarded. 1 (the default): every grading gets its own
   * bubblewrap process, started ahead of time. Higher values reuse a cleaned sandbox (faster, see
   * decision 009) and are an operator's opt-in.
   */
  public static final int DEFAULT_MAX_USES = 1;

  private static final String READY = "MOA-READY";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger IDS = new AtomicInteger();

  private final Path bwrap;
  private final Path python;
  private final long wallMillis;
  private final int poolSize;
  private final int maxUses;
  private final String harness;
  private final Semaphore slots;
  private final Deque<Zygote> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger started = new AtomicInteger();

  /**
   * Starts every sandbox process. bubblewrap's {@code --die-with-parent} fires when the <em>thread
   * </em> that started it ends, so sandboxes are started from this one long-lived thread, never
   * from a grading thread that a thread pool may retire.
   */
  private final ExecutorService spawner =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sandbox-spawner");
            t.setDaemon(true);
            return t;
          });

  private volatile boolean closed;

  /** Outcome of one sandbox run. */
  public sealed interface Outcome permits Unavailable, Completed, Broken {}

  /** The sandbox cannot run at all (grading error). */
  public record Unavailable(String reason) implements Outcome {}

  /** The harness reported raw observations. */
  public record Completed(JsonNode observations) implements Outcome {}

  /** The run produced no acceptable harness report (killed, crashed, forged, flooded, ...). */
  public record Broken(String reason) implements Outcome {}

  public BwrapSandbox() {
    this(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/python3"));
  }

  public BwrapSandbox(Path bwrap, Path python) {
    this(bwrap, python, DEFAULT_WALL_MILLIS, defaultPoolSize());
  }

  BwrapSandbox(Path bwrap, Path python, long wallMillis) {
    this(bwrap, python, wallMillis, defaultPoolSize());
  }

  /**
   * @param wallMillis wall-clock limit of one grading; the sandbox is killed when it is exceeded
   * @param poolSize most sandboxes (and so gradings) at once
   */
  public BwrapSandbox(Path bwrap, Path python, long wallMillis, int poolSize) {
    this(bwrap, python, wallMillis, poolSize, DEFAULT_MAX_USES);
  }

  /**
   * @param maxUses gradings one sandbox serves before it is replaced ({@link #DEFAULT_MAX_USES})
   */
  public BwrapSandbox(Path bwrap, Path python, long wallMillis, int poolSize, int maxUses) {
    if (wallMillis < 1) {
      throw new IllegalArgumentException("wallMillis must be >= 1 but was " + wallMillis);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be >= 1 but was " + poolSize);
    }
    if (maxUses < 1) {
      throw new IllegalArgumentException("maxUses must be >= 1 but was " + maxUses);
    }
    this.bwrap = bwrap;
    this.python = python;
    this.wallMillis = wallMillis;
    this.poolSize = poolSize;
    this.maxUses = maxUses;
    this.slots = new Semaphore(poolSize, true);
    try (InputStream in = BwrapSandbox.class.getResourceAsStream("harness.py")) {
      this.harness = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One sandbox per core, at least two. A grading is CPU work (fork, copy-on-write faults, the
   * candidate's Python); more sandboxes than cores only add contention (measured in
   * docs/benchmarks.md, "Sandboxed grading").
   */
  public static int defaultPoolSize() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  public int poolSize() {
    return poolSize;
  }

  /** Sandboxes started so far (each costs a bubblewrap and a Python start). */
  public int sandboxesStarted() {
    return started.get();
  }

  public boolean available() {
    return Files.isExecutable(bwrap) && Files.isExecutable(python);
  }

  /**
   * Runs {@code code} under the harness in {@code mode} ("calls" plan or asserts) and returns the
   * raw observations. Blocks while all {@code poolSize} sandboxes are busy.
   */
  public Outcome run(String mode, String code, JsonNode plan) {
    if (!Files.isExecutable(bwrap)) {
      return new Unavailable(BWRAP_MISSING);
    }
    if (!Files.isExecutable(python)) {
      return new Unavailable("python interpreter not found at " + python);
    }
    if (closed) {
      return new Unavailable("the sandbox pool is closed");
    }
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Unavailable("interrupted while waiting for a free sandbox");
    }
    try {
      // A warm sandbox may have died while idle; then one more try with a fresh one.
      for (int attempt = 0; ; attempt++) {
        Zygote z = idle.pollFirst();
        if (z == null || !z.alive()) {
          if (z != null) {
            z.destroy();
          }
          try {
            z = Zygote.start(spawner, command(), IDS.incrementAndGet());
            started.incrementAndGet();
          } catch (StartFailure e) {
            return new Unavailable(e.getMessage());
          }
        }
        Outcome outcome;
        try {
          outcome = z.grade(mode, code, plan, wallMillis);
        } catch (StaleSandbox e) {
          z.destroy();
          if (attempt == 0) {
            continue;
          }
          return new Unavailable("sandbox did not accept the grading: " + e.getMessage());
        }
        if (z.reusable() && z.uses() < maxUses && !closed) {
          idle.addFirst(z);
        } else {
          z.destroy();
        }
        return outcome;
      }
    } finally {
      slots.release();
    }
  }

  /** Stops every idle sandbox; busy ones stop when their grading ends. */
  @Override
  public void close() {
    closed = true;
    Zygote z;
    while ((z = idle.pollFirst()) != null) {
      z.destroy();
    }
    spawner.shutdown();
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  /**
   * The observations in a candidate's report, or null unless it has the harness's structure for
   * {@code mode}.
   */
  static JsonNode validReport(String json, String mode) {
    try {
      JsonNode node = Json.MAPPER.readTree(json);
      if (node == null
          || !node.isObject()
          || !mode.equals(node.path("mode").asString(""))
          || !node.path("load").isObject()
          || !node.path("load").path("ok").isBoolean()
          || !node.path("calls").isArray()
          || !node.path("asserts").isArray()) {
        return null;
      }
      return node;
    } catch (JacksonException e) {
      return null;
    }
  }

  /**
   * Starts {@code n} empty sandboxes ({@code python3 -I -S -c pass} under the same bubblewrap
   * command as a grading sandbox, no harness, no grading), {@code parallelism} at a time, and
   * returns how many started and ended per second: the machine's ceiling for
   * one-sandbox-per-grading, since every such grading costs at least one of these starts.
   */
  public double emptySandboxStartsPerSecond(int n, int parallelism) throws InterruptedException {
    if (n < 1 || parallelism < 1) {
      throw new IllegalArgumentException("n and parallelism must be >= 1");
    }
    List<String> cmd = command(List.of("-c", "pass"));
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      List<java.util.concurrent.Future<Integer>> runs = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        runs.add(
            pool.submit(
                () ->
                    new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor()));
      }
      for (var run : runs) {
        int code = run.get();
        if (code != 0) {
          throw new IllegalStateException("an empty sandbox exited with code " + code);
        }
      }
      return n / ((System.nanoTime() - start) / 1e9);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not start an empty sandbox: " + e.getCause(), e);
    } finally {
      pool.shutdownNow();
    }
  }

  private List<String> command() {
    return command(List.of("-c", harness));
  }

  private List<String> command(List<String> pythonArgs) {
    List<String> cmd = new ArrayList<>();
    if (runningAsRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
      cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    }
    cmd.addAll(
        List.of(
            bwrap.toString(),
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            "--clearenv",
            "--ro-bind",
            "/usr",
            "/usr"));
    for (String dir : List.of("/lib", "/lib64", "/bin")) {
      Path p = Path.of(dir);
      if (Files.isSymbolicLink(p)) {
        try {
          cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else if (Files.isDirectory(p)) {
        cmd.addAll(List.of("--ro-bind", dir, dir));
      }
    }
    cmd.addAll(
        List.of(
            "--size",
            String.valueOf(16 * 1024 * 1024),
            "--tmpfs",
            "/tmp",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--remount-ro",
            "/dev",
            "--remount-ro",
            "/",
            "--chdir",
            "/tmp",
            python.toString(),
            "-I",
            "-S"));
    cmd.addAll(pythonArgs);
    return cmd;
  }

  private static boolean runningAsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** A sandbox could not be started: a grading error, not the candidate's fault. */
  private static final class StartFailure extends Exception {
    StartFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** A warm sandbox turned out to be gone before it took the grading. */
  private static final class StaleSandbox extends Exception {
    StaleSandbox(String message) {
      super(message, null, false, false);
    }
  }

  /** One warm sandbox: its bubblewrap process, the harness's pipes and their reader threads. */
  private static final class Zygote {
    private static final String EOF = new String("<eof>");
    private static final String OVERFLOW = new String("<overflow>");

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Tail stderr = new Tail();
    private final Thread stderrReader;
    private int uses;
    private boolean reusable = true;

    private Zygote(Process process, int id) {
      this.process = process;
      this.stdin = process.getOutputStream();
      daemon("sandbox-" + id + "-out", () -> readLines(process.getInputStream()));
      this.stderrReader =
          daemon("sandbox-" + id + "-err", () -> stderr.drain(process.getErrorStream()));
    }

    /** What the sandbox wrote to stderr, once it has ended (or after a short wait). */
    private String stderrText() {
      try {
        stderrReader.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return stderr.text().strip();
    }

    static Zygote start(ExecutorService spawner, List<String> command, int id) throws StartFailure {
      Process process;
      try {
        process = spawner.submit(() -> new ProcessBuilder(command).start()).get();
      } catch (ExecutionException e) {
        throw new StartFailure("could not start bubblewrap: " + e.getCause().getMessage());
      } catch (RejectedExecutionException e) {
        throw new StartFailure("the sandbox pool is closed");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StartFailure("interrupted while starting a sandbox");
      }
      Zygote z = new Zygote(process, id);
      String line;
      try {
        line = z.lines.poll(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        z.destroy();
        throw new StartFailure("interrupted while starting a sandbox");
      }
      if (READY.equals(line)) {
        return z;
      }
      z.destroy();
      String err = z.stderrText();
      if (line == null) {
        throw new StartFailure(
            "sandbox failed to start within " + START_TIMEOUT_MILLIS + " ms: " + abbreviate(err));
      }
      throw new StartFailure(
          "sandbox failed to start: "
              + (err.isEmpty() ? "exit code " + exitCode(process) : abbreviate(err)));
    }

    private static int exitCode(Process p) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
        return p.isAlive() ? -1 : p.exitValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }

    boolean alive() {
      return process.isAlive() && lines.isEmpty();
    }

    boolean reusable() {
      return reusable;
    }

    int uses() {
      return uses;
    }

    Outcome grade(String mode, String code, JsonNode plan, long wallMillis) throws StaleSandbox {
      byte[] nonceBytes = new byte[24];
      RANDOM.nextBytes(nonceBytes);
      String nonce = "MOA-" + HexFormat.of().formatHex(nonceBytes);
      ObjectNode request = Json.object();
      request.put("mode", mode);
      request.put("code", code);
      request.set("plan", plan);
      try {
        stdin.write((nonce + " ").getBytes(StandardCharsets.US_ASCII));
        stdin.write(Json.MAPPER.writeValueAsBytes(request));
        stdin.write('\n');
        stdin.flush();
      } catch (IOException e) {
        reusable = false;
        throw new StaleSandbox(e.getMessage());
      }
      uses++;
      long deadline = System.nanoTime() + wallMillis * 1_000_000L;
      Outcome outcome = null;
      while (true) {
        String line = next(deadline, nonce);
        if (line == null && Thread.currentThread().isInterrupted()) {
          destroy();
          return new Unavailable("interrupted while grading");
        }
        if (line == null) {
          reusable = false;
          destroy();
          return outcome != null
              ? outcome
              : new Broken("wall-clock limit of " + wallMillis + " ms exceeded; sandbox killed");
        }
        if (line == OVERFLOW) {
          reusable = false;
          destroy();
          return new Broken("output limit of " + MAX_STDOUT + " bytes exceeded");
        }
        if (line == EOF) {
          reusable = false;
          if (outcome != null) {
            return outcome;
          }
          String err = stderrText();
          return new Broken(
              "sandbox exited during the grading (exit code "
                  + exitCode(process)
                  + ")"
                  + (err.isEmpty() ? "" : ": " + abbreviate(err)));
        }
        String rest = line.substring(nonce.length() + 1);
        char kind = rest.isEmpty() ? '?' : rest.charAt(0);
        String text = rest.length() > 2 ? rest.substring(2) : "";
        switch (kind) {
          case 'R' -> {
            JsonNode obs = validReport(text, mode);
            outcome =
                obs == null
                    ? new Broken("no valid harness report (malformed)")
                    : new Completed(obs);
            // The sandbox is cleaned next; a grading waits for that only briefly.
            deadline = Math.min(deadline, System.nanoTime() + CLEAN_TIMEOUT_NANOS);
          }
          case 'B' -> {
            outcome = new Broken(text.isEmpty() ? "no valid harness report" : text);
            deadline = Math.min(deadline, System.nanoTime() + CLEAN_TIMEOUT_NANOS);
          }
          case 'C' -> {
            return outcome != null ? outcome : new Broken("no valid harness report");
          }
          case 'D' -> {
            reusable = false;
            log.warn("discarding a sandbox: {}", text);
            return outcome != null ? outcome : new Broken("no valid harness report");
          }
          default -> log.warn("sandbox wrote an unexpected line: {}", abbreviate(line));
        }
      }
    }

    /**
     * The next line of this grading, or null at the deadline, or {@link #EOF} / {@link #OVERFLOW}.
     */
    private String next(long deadline, String nonce) {
      String prefix = nonce + " ";
      while (true) {
        String line;
        try {
          line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
        if (line == null || line == EOF || line == OVERFLOW || line.startsWith(prefix)) {
          return line;
        }
        log.warn("sandbox wrote an unexpected line: {}", abbreviate(line));
      }
    }

    void destroy() {
      reusable = false;
      try {
        stdin.close();
      } catch (IOException e) {
        // already gone
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /** Splits the harness's stdout into lines; EOF and an over-long line end the stream. */
    private void readLines(InputStream in) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] chunk = new byte[65536];
      try (in) {
        int n;
        while ((n = in.read(chunk)) >= 0) {
          int start = 0;
          for (int i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
              line.write(chunk, start, i - start);
              lines.add(line.toString(StandardCharsets.UTF_8));
              line.reset();
              start = i + 1;
            }
          }
          line.write(chunk, start, n - start);
          if (line.size() > MAX_LINE) {
            lines.add(OVERFLOW);
            return;
          }
        }
      } catch (IOException e) {
        // the sandbox was killed
      }
      lines.add(EOF);
    }

    private static Thread daemon(String name, Runnable r) {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      t.start();
      return t;
    }
  }

  /** The last {@link #MAX_STDERR} bytes of a stream. */
  private static final class Tail {
    private final byte[] buf = new byte[MAX_STDERR];
    private int size;

    void drain(InputStream in) {
      byte[] chunk = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(chunk)) >= 0) {
          append(chunk, n);
        }
      } catch (IOException e) {
        // the sandbox was killed
      }
    }

    private synchronized void append(byte[] chunk, int n) {
      if (n >= buf.length) {
        System.arraycopy(chunk, n - buf.length, buf, 0, buf.length);
        size = buf.length;
        return;
      }
      int keep = Math.min(size, buf.length - n);
      System.arraycopy(buf, size - keep, buf, 0, keep);
      System.arraycopy(chunk, 0, buf, keep, n);
      size = keep + n;
    }

    synchronized String text() {
      return new String(buf, 0, size, StandardCharsets.UTF_8);
    }
  }
}
