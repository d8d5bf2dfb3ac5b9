package dev.moa.orchestrator.console;

import dev.moa.batch.RunManifest;
import dev.moa.protocol.avro.RunState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Batch runs as the console shows them: the live state every run's driver publishes on {@code
 * moa.runs} (status and sample counts), joined with the run's directory under the runs dir ({@code
 * run.json}, {@code results.jsonl}, {@code summary.json} written by {@code moa eval}). A run may
 * have only one of the two: a directory on another machine, or an old run compacted away.
 */
public final class RunsView {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path runsDir;
  private final Supplier<Collection<RunState>> states;
  private final Clock clock;

  public RunsView(Path runsDir, Supplier<Collection<RunState>> states) {
    this(runsDir, states, Clock.systemUTC());
  }

  /**
   * @param clock tells a RUNNING state whose driver stopped updating it (an interrupted run) from a
   *     live one
   */
  public RunsView(Path runsDir, Supplier<Collection<RunState>> states, Clock clock) {
    this.runsDir = runsDir;
    this.states = states;
    this.clock = clock;
  }

  public Path runsDir() {
    return runsDir;
  }

  /** The latest state of every run on {@code moa.runs}. */
  public Collection<RunState> states() {
    return states.get();
  }

  /** Every run, newest first. */
  public List<ObjectNode> list() {
    Map<String, ObjectNode> runs = new LinkedHashMap<>();
    for (RunState s : states.get()) {
      runs.put(s.getRunId(), fromState(s));
    }
    if (Files.isDirectory(runsDir)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runsDir)) {
        for (Path dir : dirs) {
          String id = dir.getFileName().toString();
          if (RunManifest.RUN_ID.matcher(id).matches()
              && Files.isRegularFile(dir.resolve("run.json"))) {
            ObjectNode n = runs.computeIfAbsent(id, k -> fromDir(id));
            addDir(n, dir);
            addResumable(n, dir);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + runsDir, e);
      }
    }
    List<ObjectNode> out = new ArrayList<>(runs.values());
    out.sort(
        Comparator.comparingLong((ObjectNode n) -> n.path("created_at_ms").asLong(0)).reversed());
    return out;
  }

  /** One run with its summary (null until it ends) and one compact row per finished sample. */
  public Optional<ObjectNode> detail(String runId) {
    if (!RunManifest.RUN_ID.matcher(runId).matches()) {
      return Optional.empty();
    }
    ObjectNode run = null;
    for (RunState s : states.get()) {
      if (s.getRunId().equals(runId)) {
        run = fromState(s);
      }
    }
    Path dir = runsDir.resolve(runId);
    boolean hasDir = Files.isRegularFile(dir.resolve("run.json"));
    if (run == null && !hasDir) {
      return Optional.empty();
    }
    if (run == null) {
      run = fromDir(runId);
    }
    if (hasDir) {
      addDir(run, dir);
      addResumable(run, dir);
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("run", run);
    out.set("summary", hasDir ? readJson(dir.resolve("summary.json")) : null);
    ArrayNode samples = out.putArray("samples");
    for (JsonNode line : results(dir)) {
      ObjectNode row = samples.addObject();
      row.put("id", line.path("id").asString(""));
      row.put("status", line.path("status").asString(""));
      JsonNode grade = line.path("grade");
      row.put("grader", grade.path("grader").asString(""));
      row.put("grade_status", grade.path("status").asString(""));
      row.put("score", grade.path("score").asDouble(0));
      row.put("max_score", grade.path("max_score").asDouble(0));
      row.put("prompt_tokens", line.path("usage").path("prompt_tokens").asLong(0));
      row.put("completion_tokens", line.path("usage").path("completion_tokens").asLong(0));
      row.put("latency_ms", line.path("latency_ms").asLong(0));
      row.put("errors", line.path("errors").size());
    }
    return Optional.of(out);
  }

  /** One sample's full line of {@code results.jsonl}. */
  public Optional<JsonNode> sample(String runId, String sampleId) {
    if (!RunManifest.RUN_ID.matcher(runId).matches()) {
      return Optional.empty();
    }
    return results(runsDir.resolve(runId)).stream()
        .filter(l -> l.path("id").asString("").equals(sampleId))
        .reduce((a, b) -> b);
  }

  private static ObjectNode fromState(RunState s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("run_id", s.getRunId());
    n.put("status", s.getStatus().name().toLowerCase());
    n.put("dataset", s.getDataset());
    n.put("config_name", s.getConfigName());
    n.put("total", s.getTotal());
    n.put("submitted", s.getSubmitted());
    n.put("answered", s.getAnswered());
    n.put("graded", s.getGraded());
    n.put("failed", s.getFailed());
    n.put("reason", s.getReason());
    n.put("created_at_ms", s.getCreatedAtMs());
    n.put("updated_at_ms", s.getUpdatedAtMs());
    n.put("live", true);
    return n;
  }

  private static ObjectNode fromDir(String runId) {
    ObjectNode n = JSON.createObjectNode();
    n.put("run_id", runId);
    n.put("live", false);
    return n;
  }

  /** What the directory adds: the manifest's facts, and the summary's status once it ended. */
  private static void addDir(ObjectNode n, Path dir) {
    n.put("has_dir", true);
    n.put("dir", dir.toAbsolutePath().toString());
    JsonNode manifest = readJson(dir.resolve("run.json"));
    if (manifest != null) {
      if (!n.has("config_name")) {
        n.put("config_name", manifest.path("configName").asString(""));
        n.put("dataset", manifest.path("dataset").asString(""));
        n.put("created_at_ms", manifest.path("createdAtMs").asLong(0));
      }
    }
    JsonNode summary = readJson(dir.resolve("summary.json"));
    if (summary != null) {
      // The summary's status (completed, cancelled, ...) says more than moa.runs' FINISHED; a
      // run that runs again (resumed) keeps its live status.
      if (!n.path("status").asString("").equals("running")) {
        n.put("status", summary.path("run").path("status").asString("unknown"));
      }
      JsonNode counts = summary.path("counts");
      if (!n.has("total")) {
        n.put("total", counts.path("total").asInt(0));
        n.put("graded", counts.path("graded").asInt(0));
        n.put("failed", counts.path("failed").asInt(0));
      }
      n.put("mean_score", summary.path("mean_score").asDouble(0));
      n.put("accuracy", summary.path("accuracy").asDouble(0));
    } else if (!n.has("status")) {
      n.put("status", "unknown");
    }
  }

  /**
   * {@code results} (lines written) and {@code resumable}: an eval run of the shared cluster with
   * samples still missing a result line, not cancelled, and not running (or running with a stale
   * state: its driver was killed). The resume itself checks again ({@code EvalResume}).
   */
  private void addResumable(ObjectNode n, Path dir) {
    int written = results(dir).size();
    n.put("results", written);
    JsonNode manifest = readJson(dir.resolve("run.json"));
    String status = n.path("status").asString("");
    boolean stale =
        clock.millis() - n.path("updated_at_ms").asLong(0) >= RunResumer.LIVE_DRIVER.toMillis();
    int total = n.path("total").asInt(0);
    boolean resumable =
        manifest != null
            && "eval".equals(manifest.path("kind").asString(""))
            && !"local".equals(manifest.path("stack").asString(""))
            && !status.equals("cancelled")
            && (!status.equals("running") || stale)
            && (total > 0 ? written < total : !Files.isRegularFile(dir.resolve("summary.json")));
    n.put("resumable", resumable);
  }

  private static JsonNode readJson(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | JacksonException e) {
      return null;
    }
  }

  /** The lines of results.jsonl; a torn last line (the run is writing it) is skipped. */
  private static List<JsonNode> results(Path dir) {
    Path file = dir.resolve("results.jsonl");
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<JsonNode> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(JSON.readTree(line));
        } catch (JacksonException e) {
          // being written right now
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }
}
