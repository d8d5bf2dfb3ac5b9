package dev.moa.cli;

import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.config.ResolvedProvider;
import dev.moa.protocol.request.RequestLimits;
import java.nio.file.Path;
import java.util.Map;

/** A command's MoA config, its providers and request limits; a bad one is a one-line UserError. */
public final class Configs {

  private Configs() {}

  /** The config in {@code file}, or the shipped default when it is null. */
  public static MoaConfig load(Path file) {
    try {
      return file == null ? ConfigLoader.defaultConfig() : ConfigLoader.load(file);
    } catch (ConfigException e) {
      throw new UserError(UserError.USAGE, e.getMessage().replace("\n", "; "));
    }
  }

  /** The config's providers; those without a key set fall back to the simulator's URL. */
  public static Map<String, ResolvedProvider> resolveProviders(
      MoaConfig config, String simulatorUrl) {
    try {
      return ProviderResolver.resolve(config, System::getenv, simulatorUrl);
    } catch (ConfigException e) {
      throw new UserError(UserError.USAGE, e.getMessage().replace("\n", "; "));
    }
  }

  /** The request limits of {@code --max-prompt-bytes}. */
  public static RequestLimits requestLimits(int maxPromptBytes) {
    try {
      return new RequestLimits(maxPromptBytes, RequestLimits.DEFAULT_MAX_MESSAGES);
    } catch (IllegalArgumentException e) {
      throw new UserError(UserError.USAGE, "--max-prompt-bytes: " + e.getMessage());
    }
  }
}
