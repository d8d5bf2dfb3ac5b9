package dev.moa.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalStackArgsTest {

  @Test
  void servicesBindLoopbackByDefault() {
    // On the CLI's class path only one service's application.yaml is found, so the loopback
    // default must come from here, or the orchestrator refuses to start without an API token.
    assertThat(LocalStack.serviceArgs("127.0.0.1:9092", 0, Map.of()))
        .contains("--server.address=127.0.0.1", "--moa.kafka.bootstrap=127.0.0.1:9092");
  }

  @Test
  void aGivenAddressIsKept() {
    assertThat(LocalStack.serviceArgs("127.0.0.1:9092", 0, Map.of("server.address", "0.0.0.0")))
        .contains("--server.address=0.0.0.0")
        .doesNotContain("--server.address=127.0.0.1");
  }
}
