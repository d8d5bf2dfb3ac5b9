package dev.moa.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerOrphanIT {

  @Test
  void aBrokerWhoseParentIsKilledStopsInsteadOfLingering(@TempDir Path dir) throws Exception {
    Process parent =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                BrokerParent.class.getName(),
                dir.resolve("broker").toString())
            .redirectErrorStream(true)
            .start();
    long pid = -1;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("broker-pid ")) {
          pid = Long.parseLong(line.substring("broker-pid ".length()).strip());
          break;
        }
      }
      assertThat(pid).as("the parent printed its broker's pid").isPositive();
      Optional<ProcessHandle> broker = ProcessHandle.of(pid);
      assertThat(broker).as("broker process").isPresent();
      assertThat(broker.get().isAlive()).isTrue();

      parent.destroyForcibly().waitFor();

      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (broker.get().isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(broker.get().isAlive()).as("broker outlived its SIGKILLed parent").isFalse();
    } finally {
      parent.destroyForcibly();
      if (pid > 0) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }
}
