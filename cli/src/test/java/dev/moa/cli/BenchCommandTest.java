package dev.moa.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
