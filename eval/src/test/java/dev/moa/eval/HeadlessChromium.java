package dev.moa.eval;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Drives Debian's headless Chromium over the Chrome DevTools Protocol with the JDK's WebSocket: it
 * loads a page, collects every JavaScript exception, console error and browser log error, evaluates
 * expressions and takes a screenshot.
 */
final class HeadlessChromium implements AutoCloseable {
  static final int WIDTH = 1280;
  static final int HEIGHT = 1600;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** What a page did while it loaded. */
  record Render(List<String> errors, List<JsonNode> values, byte[] png) {}

  private final Process process;
  private final Path userDataDir;
  private final Path log;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final Map<String, CountDownLatch> loads = new ConcurrentHashMap<>();

  static Path binary() {
    String env = System.getenv("CHROMIUM");
    return Path.of(env == null || env.isBlank() ? "/usr/bin/chromium" : env);
  }

  /**
   * Starts Chromium.
   *
   * @throws AssertionError with install instructions when the binary is missing (the test must
   *     fail, not skip: bin/test installs it)
   */
  static HeadlessChromium start() throws Exception {
    Path bin = binary();
    if (!Files.isExecutable(bin)) {
      throw new AssertionError(
          "headless Chromium is needed for the report render test but "
              + bin
              + " is not an executable: run bin/test as root (it installs Debian's chromium) or"
              + " 'sudo apt-get install chromium', or set CHROMIUM to another Chromium binary");
    }
    Path dir = Files.createTempDirectory("moa-chromium-");
    Path log = Files.createTempFile("moa-chromium-", ".log");
    List<String> command =
        List.of(
            bin.toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=" + WIDTH + "," + HEIGHT,
            "--user-data-dir=" + dir,
            "--remote-debugging-port=0",
            "about:blank");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Path portFile = dir.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      List<String> lines = List.of();
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new AssertionError(
              "chromium exited with status " + p.exitValue() + ":\n" + Files.readString(log));
        }
        if (Files.exists(portFile)) {
          lines = Files.readAllLines(portFile);
          if (lines.size() >= 2 && !lines.get(1).isBlank()) {
            break;
          }
        }
        Thread.sleep(50);
      }
      if (lines.size() < 2) {
        throw new AssertionError(
            "chromium wrote no DevToolsActivePort within 30 s:\n" + Files.readString(log));
      }
      URI ws = URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
      return new HeadlessChromium(p, dir, log, ws);
    } catch (Exception | AssertionError e) {
      p.destroyForcibly();
      deleteTree(dir);
      throw e;
    }
  }

  private HeadlessChromium(Process process, Path userDataDir, Path log, URI ws) throws Exception {
    this.process = process;
    this.userDataDir = userDataDir;
    this.log = log;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(ws, new Listener())
            .get(15, TimeUnit.SECONDS);
  }

  /**
   * Opens the URL in a new tab, waits for its load event and a short settling time, evaluates the
   * expressions in order (their exceptions count as errors), and takes a screenshot.
   */
  Render render(URI url, List<String> expressions) throws Exception {
    String targetId =
        call("Target.createTarget", obj().put("url", "about:blank"), null)
            .get("targetId")
            .asString();
    String session =
        call("Target.attachToTarget", obj().put("targetId", targetId).put("flatten", true), null)
            .get("sessionId")
            .asString();
    try {
      call("Runtime.enable", obj(), session);
      call("Log.enable", obj(), session);
      call("Page.enable", obj(), session);
      call(
          "Emulation.setDeviceMetricsOverride",
          obj()
              .put("width", WIDTH)
              .put("height", HEIGHT)
              .put("deviceScaleFactor", 1)
              .put("mobile", false),
          session);
      CountDownLatch loaded = new CountDownLatch(1);
      loads.put(session, loaded);
      JsonNode nav = call("Page.navigate", obj().put("url", url.toString()), session);
      List<String> errors = new ArrayList<>();
      if (nav.hasNonNull("errorText")) {
        errors.add("navigation failed: " + nav.get("errorText").asString());
      }
      if (!loaded.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        errors.add("no load event within " + TIMEOUT.toSeconds() + " s");
      }
      Thread.sleep(500); // late errors (timers, deferred work) surface here
      List<JsonNode> values = new ArrayList<>();
      for (String expression : expressions) {
        JsonNode r =
            call(
                "Runtime.evaluate",
                obj().put("expression", expression).put("returnByValue", true),
                session);
        if (r.hasNonNull("exceptionDetails")) {
          errors.add("evaluating " + expression + ": " + r.get("exceptionDetails"));
        }
        values.add(r.path("result").path("value"));
      }
      Thread.sleep(200);
      errors.addAll(errorsOf(session));
      byte[] png =
          Base64.getDecoder()
              .decode(
                  call("Page.captureScreenshot", obj().put("format", "png"), session)
                      .get("data")
                      .asString());
      return new Render(errors, values, png);
    } finally {
      call("Target.closeTarget", obj().put("targetId", targetId), null);
    }
  }

  /** Exceptions, console errors and error log entries of one page session. */
  private List<String> errorsOf(String session) {
    List<String> errors = new ArrayList<>();
    for (JsonNode e : events) {
      if (!session.equals(e.path("sessionId").asString(""))) {
        continue;
      }
      String method = e.path("method").asString("");
      JsonNode params = e.path("params");
      switch (method) {
        case "Runtime.exceptionThrown" -> {
          JsonNode d = params.path("exceptionDetails");
          errors.add(
              "exception: "
                  + d.path("exception").path("description").asString(d.path("text").asString(""))
                  + " at "
                  + d.path("url").asString("")
                  + ":"
                  + d.path("lineNumber").asInt());
        }
        case "Runtime.consoleAPICalled" -> {
          String type = params.path("type").asString("");
          if (type.equals("error") || type.equals("assert")) {
            List<String> args = new ArrayList<>();
            params
                .path("args")
                .forEach(
                    a ->
                        args.add(
                            a.has("value")
                                ? a.get("value").asString(a.get("value").toString())
                                : a.path("description").asString("")));
            errors.add("console." + type + ": " + String.join(" ", args));
          }
        }
        case "Log.entryAdded" -> {
          JsonNode entry = params.path("entry");
          if (entry.path("level").asString("").equals("error")) {
            errors.add(
                "log ("
                    + entry.path("source").asString("")
                    + "): "
                    + entry.path("text").asString("")
                    + " "
                    + entry.path("url").asString(""));
          }
        }
        default -> {
          // not an error
        }
      }
    }
    return errors;
  }

  private ObjectNode obj() {
    return JSON.createObjectNode();
  }

  private JsonNode call(String method, ObjectNode params, String session) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode msg = obj().put("id", id).put("method", method);
    msg.set("params", params);
    if (session != null) {
      msg.put("sessionId", session);
    }
    CompletableFuture<JsonNode> response = new CompletableFuture<>();
    pending.put(id, response);
    synchronized (socket) {
      socket.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
    }
    JsonNode r = response.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (r.hasNonNull("error")) {
      throw new IllegalStateException(method + " failed: " + r.get("error"));
    }
    return r.path("result");
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder buffer = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        JsonNode msg = JSON.readTree(buffer.toString());
        buffer.setLength(0);
        if (msg.has("id")) {
          CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
          if (f != null) {
            f.complete(msg);
          }
        } else {
          events.add(msg);
          if (msg.path("method").asString("").equals("Page.loadEventFired")) {
            CountDownLatch l = loads.get(msg.path("sessionId").asString(""));
            if (l != null) {
              l.countDown();
            }
          }
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      pending.values().forEach(f -> f.completeExceptionally(error));
    }
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  /** Closes the browser (Browser.close, then by process id: the browser and its children). */
  @Override
  public void close() throws Exception {
    List<ProcessHandle> children = process.descendants().toList();
    try {
      call("Browser.close", obj(), null);
    } catch (Exception e) {
      // stopped by process id below
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    socket.abort();
    deleteTree(userDataDir);
    Files.deleteIfExists(log);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
