package dev.moa.protocol.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config that cannot be used, with every problem found (not only the first). {@link
 * #getMessage()} has one line per error: {@code SOURCE: PATH: MESSAGE} (or {@code SOURCE: MESSAGE}
 * when the error concerns the whole document).
 */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final List<ConfigError> errors;

  public ConfigException(String source, List<ConfigError> errors) {
    super(format(source, errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.source = source;
    this.errors = List.copyOf(errors);
  }

  public ConfigException(String source, ConfigError error) {
    this(source, List.of(error));
  }

  /** Every error, in the order found. */
  public List<ConfigError> errors() {
    return errors;
  }

  /** The file (or other source) the errors are in. */
  public String source() {
    return source;
  }

  private static String format(String source, List<ConfigError> errors) {
    return errors.stream().map(e -> source + ": " + e).collect(Collectors.joining("\n"));
  }
}
