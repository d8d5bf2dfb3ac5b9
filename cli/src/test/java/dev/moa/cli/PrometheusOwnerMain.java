package dev.moa.cli;

import dev.moa.cli.stack.LocalPrometheus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A JVM that starts a LocalPrometheus, prints its URL and waits: tests kill it with SIGKILL. */
public final class PrometheusOwnerMain {

  private PrometheusOwnerMain() {}

  public static void main(String[] args) throws Exception {
    LocalPrometheus p =
        LocalPrometheus.start(Path.of(args[0]), List.of(), List.of(), Duration.ofSeconds(1));
    System.out.println("ready " + p.url());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
