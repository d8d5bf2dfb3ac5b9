package dev.moa.graders;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** The sandbox ITs fail, never skip, where bubblewrap is missing: bin/test installs it. */
final class SandboxRequired {

  private SandboxRequired() {}

  static void bwrap() {
    assertThat(Files.isExecutable(Path.of("/usr/bin/bwrap")))
        .as(
            "bubblewrap (/usr/bin/bwrap) is needed by the sandbox tests: apt-get install bubblewrap")
        .isTrue();
  }
}
