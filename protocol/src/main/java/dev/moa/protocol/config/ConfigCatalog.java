package dev.moa.protocol.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of MoA configs, one {@code <name>.yaml} file each (the orchestrator's {@code
 * moa.orchestrator.configs-dir}). A name is the file's base name and must match {@code
 * [a-z0-9][a-z0-9._-]{0,63}}, so no name reaches outside the directory. Other files (README.md,
 * sub-directories, editor back-ups) are not configs.
 */
public final class ConfigCatalog {

  /** What a config name may look like. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private static final String SUFFIX = ".yaml";

  private final Path dir;

  public ConfigCatalog(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** The directory this catalog reads and writes. */
  public Path dir() {
    return dir;
  }

  /** Every config name, sorted; empty when the directory does not exist. */
  public List<String> names() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(SUFFIX))
          .map(f -> f.substring(0, f.length() - SUFFIX.length()))
          .filter(n -> NAME.matcher(n).matches())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** Whether a config of that (valid) name exists. */
  public boolean contains(String name) {
    return name != null && NAME.matcher(name).matches() && Files.isRegularFile(file(name));
  }

  /**
   * Reads and validates one config.
   *
   * @throws ConfigException naming the file: a bad name, no such config, or every validation error
   */
  public MoaConfig load(String name) throws ConfigException {
    checkName(name);
    return ConfigLoader.load(file(name));
  }

  /**
   * The config's text as stored, comments included.
   *
   * @throws ConfigException naming the file when the name is bad or there is no such config
   */
  public String text(String name) throws ConfigException {
    checkName(name);
    Path file = file(name);
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          file.toString(), new ConfigError("", "cannot read " + file + ": no such file"));
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(), new ConfigError("", "cannot read " + file + ": " + e.getMessage()));
    }
  }

  /**
   * Validates the text and, only when it is a valid config, writes it as {@code <name>.yaml}
   * (replacing an existing one; readers never see a half-written file).
   *
   * @throws ConfigException with every validation error (field paths) or a bad name; the file is
   *     then unchanged
   */
  public void save(String name, String yamlText) throws ConfigException {
    checkName(name);
    Objects.requireNonNull(yamlText, "yamlText");
    Path file = file(name);
    ConfigLoader.parse(yamlText, file.toString());
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + name + ".", ".tmp");
      try {
        Files.writeString(tmp, yamlText, StandardCharsets.UTF_8);
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(), new ConfigError("", "cannot write " + file + ": " + e.getMessage()));
    }
  }

  /** The bad name for a one-line message: control characters escaped, long names cut. */
  private static String quoted(String name) {
    if (name == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("'");
    name.codePoints()
        .limit(80)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append(name.length() > 80 ? "...'" : "'").toString();
  }

  private Path file(String name) {
    return dir.resolve(name + SUFFIX);
  }

  private void checkName(String name) throws ConfigException {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ConfigException(
          dir.toString(),
          new ConfigError(
              "name",
              quoted(name)
                  + " is not a config name (letters a-z, digits, '.', '_', '-'; at most 64,"
                  + " starting with a letter or digit)"));
    }
  }
}
