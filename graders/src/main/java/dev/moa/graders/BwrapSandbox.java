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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs untrusted Python in a fresh bubblewrap sandbox per grading: all namespaces unshared (no
 * network), empty environment, read-only /usr (plus /lib, /lib64, /bin), tmpfs /tmp, and limits (5
 * s CPU, 512 MB address space, 64 processes, 1 MB file size) set by the trusted harness before the
 * candidate is loaded; Java kills the process tree after 10 s wall-clock and caps stdout at 1 MB.
 * When Java runs as root the sandbox is entered as uid/gid 65534 via setpriv so that the process
 * limit applies (root is exempt from RLIMIT_NPROC).
 */
public final class BwrapSandbox {
  private static final Logger log = LoggerFactory.getLogger(BwrapSandbox.class);
  public static final String BWRAP_MISSING =
      "bubblewrap (bwrap) is not installed; code graders refuse to run untrusted code without it";
  static final int MAX_STDOUT = 1024 * 1024;
  static final int MAX_STDERR = 64 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path bwrap;
  private final Path python;
  private final long wallMillis;
  private final String harness;

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
    this(bwrap, python, 10_000);
  }

  BwrapSandbox(Path bwrap, Path python, long wallMillis) {
    this.bwrap = bwrap;
    this.python = python;
    this.wallMillis = wallMillis;
    try (InputStream in = BwrapSandbox.class.getResourceAsStream("harness.py")) {
      this.harness = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean available() {
    return Files.isExecutable(bwrap) && Files.isExecutable(python);
  }

  /**
   * Runs {@code code} under the harness in {@code mode} ("calls" plan or asserts) and returns the
   * raw observations.
   */
  public Outcome run(String mode, String code, JsonNode plan) {
    if (!Files.isExecutable(bwrap)) {
      return new Unavailable(BWRAP_MISSING);
    }
    if (!Files.isExecutable(python)) {
      return new Unavailable("python interpreter not found at " + python);
    }
    byte[] nonceBytes = new byte[24];
    RANDOM.nextBytes(nonceBytes);
    String nonce = "MOA-" + HexFormat.of().formatHex(nonceBytes);
    ObjectNode request = Json.object();
    request.put("nonce", nonce);
    request.put("mode", mode);
    request.put("code", code);
    request.set("plan", plan);
    Process process;
    try {
      process = new ProcessBuilder(command()).start();
    } catch (IOException e) {
      return new Unavailable("could not start bubblewrap: " + e.getMessage());
    }
    CompletableFuture<Capture> out = drain(process.getInputStream(), MAX_STDOUT);
    CompletableFuture<Capture> err = drain(process.getErrorStream(), MAX_STDERR);
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(Json.MAPPER.writeValueAsBytes(request));
    } catch (IOException e) {
      // the sandbox may die before reading its input; the outcome below reports it
    }
    boolean finished;
    try {
      finished = process.waitFor(wallMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = false;
    }
    if (!finished) {
      killTree(process);
    }
    Capture stdout = await(out);
    Capture stderr = await(err);
    if (!finished) {
      return new Broken("wall-clock limit of " + wallMillis + " ms exceeded; sandbox killed");
    }
    int exit = process.exitValue();
    if (stdout.overflow()) {
      return new Broken("output limit of " + MAX_STDOUT + " bytes exceeded");
    }
    JsonNode observations = lastReport(stdout.text(), nonce, mode);
    String err0 = stderr.text().strip();
    if (observations == null
        && exit != 0
        && stdout.text().isEmpty()
        && (err0.startsWith("bwrap:") || err0.startsWith("setpriv:"))) {
      // the sandbox itself could not be set up: a grading error, not the candidate's fault
      return new Unavailable("sandbox failed to start: " + abbreviate(err0));
    }
    if (observations == null) {
      String tail = err0;
      if (tail.length() > 500) {
        tail = tail.substring(tail.length() - 500);
      }
      log.debug("sandbox exit {} without a valid report; stderr: {}", exit, tail);
      return new Broken(
          "no valid harness report (exit code "
              + exit
              + (exit == 137 || exit == 152 || exit == 128 + 24 ? ", killed by a limit" : "")
              + ")"
              + (tail.isEmpty() ? "" : ": " + tail));
    }
    return new Completed(observations);
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  /** Accepts only the last line carrying the nonce, and only if it has the expected structure. */
  static JsonNode lastReport(String stdout, String nonce, String mode) {
    String prefix = nonce + " ";
    String found = null;
    for (String line : stdout.split("\n")) {
      if (line.startsWith(prefix)) {
        found = line.substring(prefix.length());
      }
    }
    if (found == null) {
      return null;
    }
    try {
      JsonNode node = Json.MAPPER.readTree(found);
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

  private List<String> command() {
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
            "--chdir",
            "/tmp",
            python.toString(),
            "-I",
            "-S",
            "-c",
            harness));
    return cmd;
  }

  private static boolean runningAsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  private static Capture await(CompletableFuture<Capture> f) {
    try {
      return f.get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      return new Capture("", true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Capture("", true);
    }
  }

  private record Capture(String text, boolean overflow) {}

  private static CompletableFuture<Capture> drain(InputStream in, int max) {
    return CompletableFuture.supplyAsync(
        () -> {
          ByteArrayOutputStream buf = new ByteArrayOutputStream();
          boolean overflow = false;
          byte[] chunk = new byte[8192];
          try (in) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
              int room = max - buf.size();
              if (n > room) {
                overflow = true;
                buf.write(chunk, 0, Math.max(room, 0));
                break;
              } else {
                buf.write(chunk, 0, n);
              }
            }
          } catch (IOException e) {
            // process killed; keep what we have
          }
          return new Capture(buf.toString(StandardCharsets.UTF_8), overflow);
        },
        runnable -> {
          Thread t = new Thread(runnable, "sandbox-drain");
          t.setDaemon(true);
          t.start();
        });
  }
}
