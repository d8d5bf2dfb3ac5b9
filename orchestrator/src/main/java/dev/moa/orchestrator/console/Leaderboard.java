package dev.moa.orchestrator.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The challenge leaderboard: one JSON line per graded attempt, appended to a file (decision 033). A
 * configuration is its name plus the SHA-256 of its canonical YAML, so an edited config is a new
 * entry. The board shows each configuration's best attempt: highest total, then fewest tokens.
 */
public final class Leaderboard {

  /** One graded attempt. */
  public record Attempt(
      String config,
      String configSha256,
      double total,
      String letter,
      Map<String, Object> checks,
      long tokens,
      long latencyMs,
      long atMs) {}

  /** A configuration's best attempt and how many it had. */
  public record Entry(int rank, Attempt best, int attempts) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Comparator<Attempt> BETTER =
      Comparator.comparingDouble(Attempt::total)
          .reversed()
          .thenComparingLong(Attempt::tokens)
          .thenComparingLong(Attempt::latencyMs)
          .thenComparingLong(Attempt::atMs);

  private final Path file;

  public Leaderboard(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  public synchronized void add(Attempt attempt) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(
          file,
          JSON.writeValueAsString(attempt) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Every attempt in the file; a line that is not an attempt (a torn last line) is skipped. */
  public synchronized List<Attempt> attempts() {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<Attempt> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(JSON.readValue(line, Attempt.class));
        } catch (JacksonException e) {
          // A write cut short by a crash: the attempts before it still count.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }

  /** Best attempt per configuration, best first. */
  public List<Entry> board() {
    Map<String, List<Attempt>> byConfig = new LinkedHashMap<>();
    for (Attempt a : attempts()) {
      byConfig.computeIfAbsent(a.config() + "@" + a.configSha256(), k -> new ArrayList<>()).add(a);
    }
    List<Entry> unranked = new ArrayList<>();
    for (List<Attempt> as : byConfig.values()) {
      unranked.add(new Entry(0, as.stream().min(BETTER).orElseThrow(), as.size()));
    }
    unranked.sort(Comparator.comparing(Entry::best, BETTER));
    List<Entry> ranked = new ArrayList<>();
    for (int i = 0; i < unranked.size(); i++) {
      ranked.add(new Entry(i + 1, unranked.get(i).best(), unranked.get(i).attempts()));
    }
    return ranked;
  }
}
