package dev.moa.protocol.config;

import java.util.Objects;

/**
 * One problem found in a config.
 *
 * @param path where: a field path such as {@code layers[1].agents[0].temperature}, or "" for the
 *     document as a whole (syntax errors, empty file, unreadable file)
 * @param message what is wrong, naming the bad value
 */
public record ConfigError(String path, String message) {

  public ConfigError {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
