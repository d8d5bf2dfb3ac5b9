package dev.moa.batch;

import dev.moa.eval.GraderRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code run.json}: everything a resumed run needs to carry on exactly as it started — which
 * dataset (and its hash, so a changed file is caught), which config, where the cluster is, and the
 * offsets of {@code moa.answers} and {@code moa.grades} at the start, from which the run's answers
 * and grades are read back.
 *
 * @param kind {@code eval} (samples go through the pipeline) or {@code grade} (answers given)
 * @param dataset absolute path of the dataset file
 * @param answers absolute path of the answers file ({@code grade} only)
 * @param config absolute path of the MoA config, or null for the shipped default
 * @param stack {@code bootstrap}, {@code up} or {@code local} (a private stack in the run's dir)
 * @param simulatorPort the private stack's simulator port, reused on resume: the config snapshots
 *     of requests in flight name it
 * @param startOffsets topic → partition → first offset that can hold this run's records
 */
public record RunManifest(
    String runId,
    String kind,
    String dataset,
    String datasetSha256,
    String answers,
    String config,
    String configName,
    String defaultGraderType,
    String defaultGraderOptions,
    boolean skipBadLines,
    Integer limit,
    boolean cache,
    String simulatorProfile,
    String stack,
    String bootstrap,
    String simulatorUrl,
    Integer simulatorPort,
    Map<String, Map<Integer, Long>> startOffsets,
    long createdAtMs) {

  public static final String FILE = "run.json";

  /**
   * A run id: it names the run's directory ({@code runs/<id>/}) and its key in {@code moa.runs}, so
   * it starts with a letter or digit (never {@code .} or {@code ..}) and is at most 64 characters.
   * The CLI refuses any other {@code --run-id}; the console lists and opens only these.
   */
  public static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /**
   * This manifest with what a command fills in on top of the common fields: the answers file
   * (grade), the config file (eval; a sweep's space file), the config's name, and whether the
   * response cache is used.
   */
  public RunManifest withCommandFields(
      String answers, String config, String configName, boolean cache) {
    return new RunManifest(
        runId,
        kind,
        dataset,
        datasetSha256,
        answers,
        config,
        configName,
        defaultGraderType,
        defaultGraderOptions,
        skipBadLines,
        limit,
        cache,
        simulatorProfile,
        stack,
        bootstrap,
        simulatorUrl,
        simulatorPort,
        startOffsets,
        createdAtMs);
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public static RunManifest read(Path dir) {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      throw new IllegalArgumentException(dir + " is not a run directory: " + FILE + " is missing");
    }
    try {
      return JSON.readValue(Files.readString(f), RunManifest.class);
    } catch (IOException | JacksonException e) {
      throw new IllegalArgumentException(f + ": cannot read the run manifest: " + e.getMessage());
    }
  }

  /** Writes atomically (temp file + move), so a kill never leaves half a manifest. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(FILE + ".tmp");
    Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this));
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The grader of dataset lines without one ({@code --grader}, {@code --grader-options}), or null.
   */
  public GraderRef defaultGrader() {
    return defaultGraderType == null
        ? null
        : new GraderRef(
            defaultGraderType, defaultGraderOptions == null ? "{}" : defaultGraderOptions);
  }

  /**
   * Why a resume cannot use the run's dataset, or null when it is the file the run started with:
   * {@code dataset FILE no longer exists} or {@code dataset FILE changed since the run started;
   * start a new run instead}.
   */
  public String datasetProblem() throws IOException {
    Path file = Path.of(dataset);
    if (!Files.isRegularFile(file)) {
      return "dataset " + file + " no longer exists";
    }
    if (!sha256(file).equals(datasetSha256)) {
      return "dataset " + file + " changed since the run started; start a new run instead";
    }
    return null;
  }

  /** The SHA-256 of a file in hex: how a resume knows the dataset did not change. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
