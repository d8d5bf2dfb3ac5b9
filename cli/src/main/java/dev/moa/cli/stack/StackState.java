package dev.moa.cli.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code moa up} started, in {@code $MOA_HOME/stack.json}, so other commands can use it.
 * {@code prometheus} is the local Prometheus's URL, null unless started with {@code
 * --with-prometheus}.
 */
public record StackState(
    long pid,
    String bootstrap,
    String simulator,
    Map<String, String> services,
    String dataDir,
    String prometheus) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public static Path home() {
    String env = System.getenv("MOA_HOME");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".moa");
  }

  public static Path file() {
    return home().resolve("stack.json");
  }

  /** The running stack, if its file exists and its process is alive. */
  public static Optional<StackState> running() {
    Path f = file();
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      StackState s = JSON.readValue(Files.readString(f), StackState.class);
      if (ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        return Optional.of(s);
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public void write() throws IOException {
    Files.createDirectories(home());
    Path tmp = home().resolve("stack.json.tmp");
    Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this));
    Files.move(tmp, file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The shape {@code moa status --json} prints. */
  public Map<String, Object> statusJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bootstrap", bootstrap);
    out.put("simulator", simulator);
    Map<String, Object> svc = new LinkedHashMap<>();
    services.forEach((name, url) -> svc.put(name, Map.of("http", url)));
    out.put("services", svc);
    out.put("prometheus", prometheus);
    out.put("pid", pid);
    out.put("data_dir", dataDir);
    return out;
  }
}
