package dev.moa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.cli.Moa;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {

  private static CommandLine bench() {
    return new CommandLine(new Moa()).getSubcommands().get("bench");
  }

  @Test
  void everyBenchmarkIsASubcommandWithHelp() {
    assertThat(bench().getSubcommands())
        .containsKeys("overhead", "throughput", "inflight", "scaling", "footprint", "grading");
    bench()
        .getSubcommands()
        .values()
        .forEach(
            c -> {
              assertThat(c.getCommandSpec().mixinStandardHelpOptions()).isTrue();
              assertThat(c.getCommandSpec().findOption("--json")).isNotNull();
            });
  }

  @Test
  void criticalPathIsTheOldNameOfOverhead() {
    assertThat(bench().getSubcommands().get("critical-path").getCommandName())
        .isEqualTo("overhead");
  }

  private static void usageOfEvery(CommandLine c, StringBuilder out) {
    out.append(c.getUsageMessage(CommandLine.Help.Ansi.OFF));
    c.getSubcommands().values().forEach(sub -> usageOfEvery(sub, out));
  }

  /** A bare '%' in a description makes picocli print a warning and drop the line breaks. */
  @Test
  void everyHelpTextOfTheCliFormatsWithoutWarnings() {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    StringBuilder usage = new StringBuilder();
    try {
      System.setErr(
          new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
      usageOfEvery(new CommandLine(new Moa()), usage);
    } finally {
      System.setErr(err);
    }
    assertThat(usage).contains("calls/s >= 50% of raw records/s");
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("picocli WARN");
  }
}
