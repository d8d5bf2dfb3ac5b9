package dev.moa.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

  @Test
  void barShowsProgressFailuresEtaAndTokenRateInTheGivenWidth() {
    // 512 of 2000 in 14 s: 1488 left at 14/512 s each = 40.7 s -> 0:41; 17,276 tok / 14 s = 1,234.
    String bar = ProgressLine.bar(512, 2000, 3, Duration.ofSeconds(14), 17_276, 80);
    assertThat(bar).hasSize(80);
    assertThat(bar).endsWith("] 512/2000 failed 3  ETA 0:41  1,234 tok/s");
    String inner = bar.substring(1, bar.indexOf(']'));
    assertThat(inner).matches("#+\\.+");
    long filled = inner.chars().filter(ch -> ch == '#').count();
    assertThat(filled).isEqualTo((long) Math.floor(0.256 * inner.length()));
  }

  @Test
  void etaIsUnknownUntilSomethingIsDone() {
    String bar = ProgressLine.bar(0, 100, 0, Duration.ofSeconds(3), 0, 70);
    assertThat(bar).contains("0/100").contains("ETA --:--").contains("0 tok/s");
    assertThat(bar.substring(1, bar.indexOf(']'))).matches("\\.+");
  }

  @Test
  void aFinishedRunHasAFullBarAndNoTimeLeft() {
    String bar = ProgressLine.bar(50, 50, 0, Duration.ofSeconds(10), 1000, 60);
    assertThat(bar.substring(1, bar.indexOf(']'))).matches("#+");
    assertThat(bar).contains("ETA 0:00").contains("100 tok/s");
  }

  @Test
  void longRunsShowHours() {
    // 1 done in 2 h, 2 left: 4 h.
    assertThat(ProgressLine.bar(1, 3, 0, Duration.ofHours(2), 0, 80)).contains("ETA 4:00:00");
  }

  @Test
  void narrowTerminalsDropTheRateThenEtaThenTheBar() {
    int full = "[##########] 512/2000 failed 3  ETA 0:41  1,234 tok/s".length();
    String noRate = ProgressLine.bar(512, 2000, 3, Duration.ofSeconds(14), 17_276, full - 1);
    assertThat(noRate).endsWith("512/2000 failed 3  ETA 0:41").startsWith("[");
    assertThat(noRate.length()).isLessThanOrEqualTo(full - 1);
    String tiny = ProgressLine.bar(512, 2000, 3, Duration.ofSeconds(14), 17_276, 20);
    assertThat(tiny).isEqualTo("512/2000 failed 3");
    assertThat(ProgressLine.bar(512, 2000, 3, Duration.ofSeconds(14), 17_276, 5))
        .isEqualTo("512/2000");
    for (int w = 18; w <= 120; w++) {
      assertThat(ProgressLine.bar(512, 2000, 3, Duration.ofSeconds(14), 17_276, w).length())
          .as("width %d", w)
          .isLessThanOrEqualTo(w);
    }
  }

  @Test
  void plainLineStatesTheSameFacts() {
    assertThat(ProgressLine.plain(512, 2000, 3, Duration.ofSeconds(74), 91_316))
        .isEqualTo(
            "progress 512/2000 (25.6%) failed 3 elapsed 1:14 ETA 3:36 tokens 91,316 (1,234 tok/s)");
    assertThat(ProgressLine.plain(0, 0, 0, Duration.ZERO, 0))
        .isEqualTo("progress 0/0 (0.0%) failed 0 elapsed 0:00 ETA --:-- tokens 0 (0 tok/s)");
  }
}
