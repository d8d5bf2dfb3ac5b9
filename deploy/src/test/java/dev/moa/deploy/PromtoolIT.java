package dev.moa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** promtool (Debian package prometheus) accepts the rule file and the example configuration. */
class PromtoolIT {

  private static String promtool;

  @BeforeAll
  static void findPromtool() {
    promtool = Proc.find("PROMTOOL", "promtool");
    assertThat(promtool)
        .as(
            "promtool is needed for the rule checks: sudo apt-get install prometheus (bin/test installs it when run as root)")
        .isNotNull();
  }

  @Test
  void checkRulesPassesOnAlertsYml() {
    Proc.Result r = check("rules", Repo.ALERTS);

    assertThat(r.output()).contains("SUCCESS: 6 rules found");
    assertThat(r.exit()).isZero();
  }

  @Test
  void checkConfigPassesOnTheExampleScrapeConfig() {
    Proc.Result r = check("config", Repo.DEPLOY.resolve("prometheus/prometheus.yml"));

    assertThat(r.output()).contains("SUCCESS").contains("6 rules found");
    assertThat(r.exit()).isZero();
  }

  @Test
  void checkRulesRejectsABrokenExpression(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.yml");
    Files.writeString(
        broken,
        Repo.read(Repo.ALERTS)
            .replace(
                "sum by (topic) (increase(moa_dlt_records_total[10m]))",
                "sum by (topic) (increase(moa_dlt_records_total[10m])"));

    Proc.Result r = check("rules", broken);

    assertThat(r.exit()).as(r.output()).isNotZero();
  }

  private static Proc.Result check(String what, Path file) {
    return Proc.run(
        List.of(promtool, "check", what, file.toString()), Repo.DEPLOY, Duration.ofMinutes(1));
  }
}
