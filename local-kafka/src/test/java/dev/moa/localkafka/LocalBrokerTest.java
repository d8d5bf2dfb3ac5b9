package dev.moa.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalBrokerTest {

  @Test
  void clusterIdsNeverStartWithADashThatTheStorageToolWouldReadAsAnOption() {
    for (int i = 0; i < 20_000; i++) {
      assertThat(LocalBroker.base64Uuid()).doesNotStartWith("-").hasSize(22);
    }
  }

  @Test
  void serverPropertiesDescribeASingleNodeKraftBrokerOnLoopback() {
    String props = LocalBroker.serverProperties(9092, 9093, Path.of("/data/logs"));
    assertThat(props)
        .contains("process.roles=broker,controller")
        .contains("listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
        .contains("controller.quorum.voters=1@127.0.0.1:9093")
        .contains("log.dirs=/data/logs")
        .contains("transaction.state.log.replication.factor=1")
        .contains("auto.create.topics.enable=false");
  }
}
