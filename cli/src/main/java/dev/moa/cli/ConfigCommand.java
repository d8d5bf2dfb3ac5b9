package dev.moa.cli;

import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.LayerConfig;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.SeedImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Validate MoA configs and import the seed app's exported JSON.",
    subcommands = {ConfigCommand.Validate.class, ConfigCommand.ImportSeed.class})
final class ConfigCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = {
        "Check a MoA config file and report every error with its field path and bad value. Exit code 0 when valid, 2 when not."
      })
  static final class Validate implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the YAML config to check")
    Path file;

    @Override
    public Integer call() {
      MoaConfig config;
      try {
        config = ConfigLoader.load(file);
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      int agents = config.layers().stream().mapToInt(l -> l.agents().size()).sum();
      System.out.printf(
          "%s: ok: config '%s', %d layers, %d agent calls, aggregator %s%n",
          file,
          config.name(),
          config.layers().size(),
          agents,
          switch (config.aggregator().mode()) {
            case SYNTHESIZE -> config.aggregator().model();
            case VOTE -> "vote (no call)";
            case BEST_OF_N -> "best_of_n judge " + config.aggregator().model();
          });
      for (int i = 0; i < config.layers().size(); i++) {
        LayerConfig layer = config.layers().get(i);
        String kind =
            switch (layer.kind()) {
              case AGENTS -> "";
              case SELF_MOA -> "self_moa, " + layer.agents().size() + " samples: ";
              case CRITIC ->
                  "critic (back to layer "
                      + layer.retryLayer()
                      + " up to "
                      + layer.maxRetries()
                      + " times): ";
            };
        System.out.printf(
            "  layer %d: %s%s%n",
            i + 1,
            kind,
            String.join(
                ", ",
                layer.agents().stream().map(a -> a.name() + " (" + a.model() + ")").toList()));
      }
      return 0;
    }
  }

  @Command(
      name = "import-seed",
      mixinStandardHelpOptions = true,
      description =
          "Convert the seed app's exported JSON ({\"ai_configuration\": {...}, \"version\": \"2.0\"})"
              + " into a MoA Pipeline YAML config.")
  static final class ImportSeed implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the seed app's exported JSON")
    Path file;

    @Option(
        names = {"-o", "--out"},
        paramLabel = "FILE",
        description = "write the YAML here instead of standard output")
    Path out;

    @Override
    public Integer call() throws IOException {
      String json;
      try {
        json = Files.readString(file);
      } catch (NoSuchFileException e) {
        throw new UserError(UserError.USAGE, file + ": no such file");
      }
      String yaml;
      try {
        yaml = SeedImporter.toYaml(json, file.toString());
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      if (out == null) {
        System.out.print(yaml);
      } else {
        Files.writeString(out, yaml);
        System.err.println("moa: wrote " + out);
      }
      return 0;
    }
  }
}
