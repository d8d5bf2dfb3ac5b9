package dev.moa.protocol.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLAnchorReplayingFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads MoA configs (YAML, see {@code configs/README.md}) and validates them, reporting every error
 * at once.
 */
public final class ConfigLoader {

  /** Classpath location of the shipped default config. */
  public static final String DEFAULT_CONFIG_RESOURCE = "/dev/moa/configs/workshop.yaml";

  // Anchors and aliases (and << merge keys) work; duplicate keys are errors.
  private static final YAMLMapper YAML =
      YAMLMapper.builder(new YAMLAnchorReplayingFactory())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private ConfigLoader() {}

  /**
   * Reads and validates a config file. The config's name defaults to the file's base name.
   *
   * @throws ConfigException with every error found, or naming the path when it cannot be read
   */
  public static MoaConfig load(Path file) throws ConfigException {
    String source = file.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          source, new ConfigError("", "cannot read " + source + ": no such file"));
    } catch (IOException e) {
      throw new ConfigException(
          source, new ConfigError("", "cannot read " + source + ": " + describe(e)));
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(source, new ConfigError("", "is not UTF-8 text"));
    }
    return parse(
        text, source, baseName(file.getFileName() == null ? "" : file.getFileName().toString()));
  }

  /**
   * Parses and validates config text.
   *
   * @param source names the text in error messages (usually the file name); when the YAML has no
   *     {@code name}, the source's base name is used
   */
  public static MoaConfig parse(String yamlText, String source) throws ConfigException {
    return parse(yamlText, source, baseName(source));
  }

  private static MoaConfig parse(String yamlText, String source, String fallbackName)
      throws ConfigException {
    JsonNode root = readYaml(yamlText, source);
    ConfigParser parser = new ConfigParser();
    MoaConfig config = parser.parse(root, fallbackName);
    if (config == null) {
      throw new ConfigException(source, parser.errors());
    }
    return config;
  }

  /** The shipped default config ({@code configs/workshop.yaml}). */
  public static MoaConfig defaultConfig() {
    try {
      return parse(defaultConfigText(), "workshop.yaml");
    } catch (ConfigException e) {
      throw new IllegalStateException(
          "the shipped default config is invalid:\n" + e.getMessage(), e);
    }
  }

  /** The text of the shipped default config, comments included. */
  public static String defaultConfigText() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_CONFIG_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + DEFAULT_CONFIG_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The YAML tree of one document (null when the text has none). */
  static JsonNode readYaml(String text, String source) throws ConfigException {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    try (JsonParser parser = YAML.createParser(body)) {
      JsonNode root = YAML.readTree(parser);
      if (root != null && parser.nextToken() != null) {
        throw new ConfigException(
            source,
            new ConfigError(
                "",
                "more than one YAML document (---) at line "
                    + parser.currentTokenLocation().getLineNr()
                    + "; a config holds exactly one"));
      }
      return root;
    } catch (JacksonException e) {
      throw new ConfigException(source, new ConfigError("", syntaxError("YAML", e)));
    }
  }

  /** "YAML syntax error at line L, column C: PROBLEM", without echoing the file's content. */
  static String syntaxError(String format, JacksonException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYamlEngineException marked) {
        Optional<Mark> mark = marked.getProblemMark();
        String problem = marked.getProblem() == null ? "invalid YAML" : marked.getProblem();
        problem = problem.strip().replace('\n', ' ');
        if (mark.isPresent()) {
          return syntaxError(format, mark.get().getLine() + 1, mark.get().getColumn() + 1, problem);
        }
        return format + " syntax error: " + problem;
      }
    }
    String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    if (message.startsWith("Duplicate Object property ")) {
      message = "duplicate key " + message.substring("Duplicate Object property ".length());
    }
    TokenStreamLocation location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      return syntaxError(format, location.getLineNr(), location.getColumnNr(), message);
    }
    return format + " syntax error: " + message;
  }

  static String syntaxError(String format, int line, int column, String problem) {
    return format + " syntax error at line " + line + ", column " + column + ": " + problem;
  }

  /** "dir/my-config.yaml" → "my-config". */
  static String baseName(String source) {
    if (source == null) {
      return null;
    }
    String name = source;
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    name = name.substring(slash + 1);
    for (String ext : List.of(".yaml", ".yml", ".json")) {
      if (name.toLowerCase(java.util.Locale.ROOT).endsWith(ext)) {
        return name.substring(0, name.length() - ext.length());
      }
    }
    return name;
  }

  private static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    return switch (kind) {
      case "AccessDeniedException" -> "permission denied";
      case "FileSystemException" -> e.getMessage() == null ? "cannot be read" : e.getMessage();
      default -> e.getMessage() == null ? kind : e.getMessage();
    };
  }
}
