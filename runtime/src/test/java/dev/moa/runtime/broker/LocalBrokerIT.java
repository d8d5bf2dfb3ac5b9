package dev.moa.runtime.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.topic.TopicSpec;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.testing.SharedBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

class LocalBrokerIT {

  @Test
  void topicsExistWithThePartitionsTheirDescriptorsDeclare() throws Exception {
    KafkaSettings settings = SharedBroker.settingsWithTopics();
    try (Admin admin = Admin.create(settings.common())) {
      List<String> names = Topics.ALL.stream().map(TopicSpec::name).toList();
      Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
      for (TopicSpec<String, ?> spec : Topics.ALL) {
        assertThat(described.get(spec.name()).partitions())
            .as(spec.name())
            .hasSize(spec.partitions());
      }
      for (TopicSpec<String, ?> spec : Topics.WITH_DLT) {
        assertThat(admin.listTopics().names().get()).contains(spec.dltName());
      }
    }
  }

  @Test
  void ensureTopicsIsIdempotent() {
    KafkaSettings settings = SharedBroker.settingsWithTopics();
    dev.moa.runtime.kafka.TopicAdmin.ensureTopics(settings, 30_000);
    assertThat(SharedBroker.get().isAlive()).isTrue();
  }
}
