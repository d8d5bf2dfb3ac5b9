package dev.moa.localkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalClusterTest {

  @Test
  void everyNodeIsAVoterOfOneQuorumWithReplicatedInternalTopicsAndMinInsyncTwo() {
    String voters = LocalCluster.voters(List.of(9101, 9102, 9103));
    assertThat(voters).isEqualTo("1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103");
    String props = LocalCluster.serverProperties(2, 3, 9202, 9102, voters, Path.of("/d/logs"));
    assertThat(props.lines())
        .contains(
            "process.roles=broker,controller",
            "node.id=2",
            "controller.quorum.voters=" + voters,
            "listeners=PLAINTEXT://127.0.0.1:9202,CONTROLLER://127.0.0.1:9102",
            "advertised.listeners=PLAINTEXT://127.0.0.1:9202",
            "default.replication.factor=3",
            "min.insync.replicas=2",
            "unclean.leader.election.enable=false",
            "offsets.topic.replication.factor=3",
            "transaction.state.log.replication.factor=3",
            "transaction.state.log.min.isr=2",
            "log.dirs=/d/logs");
  }

  @Test
  void fewerThanThreeNodesIsRefused() {
    assertThatThrownBy(() -> LocalCluster.start(2, Path.of("/nonexistent"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodes: 2 must be >= 3");
  }
}
