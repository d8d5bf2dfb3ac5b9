package dev.moa.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunIdTest {

  @Test
  void aRunIdStartsWithALetterOrDigitAndHasAtMost64OfLettersDigitsDotUnderscoreDash() {
    assertThat("run-20261129-064500").matches(RunManifest.RUN_ID);
    assertThat("a").matches(RunManifest.RUN_ID);
    assertThat("7.x_y-z").matches(RunManifest.RUN_ID);
    assertThat("r".repeat(64)).matches(RunManifest.RUN_ID);

    // Each of these would name another directory than runs/<id>/, or none.
    for (String bad : new String[] {"", ".", "..", ".hidden", "-x", "_x", "a/b", "a b", "é"}) {
      assertThat(bad).as("'%s'", bad).doesNotMatch(RunManifest.RUN_ID);
    }
    assertThat("r".repeat(65)).doesNotMatch(RunManifest.RUN_ID);
  }
}
