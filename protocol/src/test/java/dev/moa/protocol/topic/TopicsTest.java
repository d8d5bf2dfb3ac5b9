package dev.moa.protocol.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void requestsAndAgentResultsHaveEqualPartitionCountsForCoPartitioning() {
    assertThat(Topics.REQUESTS.partitions()).isEqualTo(Topics.AGENT_RESULTS.partitions());
    assertThat(Topics.REQUESTS.partitions()).isEqualTo(Topics.BARRIER_PARTITIONS);
  }

  @Test
  void topicNamesAreUniqueAndDeadLetterTopicsAreDerived() {
    Set<String> names = new HashSet<>();
    for (TopicSpec<String, ?> topic : Topics.ALL) {
      assertThat(names.add(topic.name())).as("unique name %s", topic.name()).isTrue();
    }
    assertThat(Topics.ALL).containsAll(Topics.WITH_DLT);
    assertThat(Topics.REQUESTS.dltName()).isEqualTo("moa.requests-dlt");
  }
}
