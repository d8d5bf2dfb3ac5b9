package dev.moa.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.topic.TopicSpec;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.testing.BrokerSettings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

class TopicAdminIT {

  @Test
  void topicsExistWithThePartitionsTheirDescriptorsDeclare() throws Exception {
    KafkaSettings settings = BrokerSettings.withTopics();
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
  void ensureTopicsIsIdempotent() throws Exception {
    KafkaSettings settings = BrokerSettings.withTopics();
    TopicAdmin.ensureTopics(settings, 30_000);
    try (Admin admin = Admin.create(settings.common())) {
      assertThat(admin.listTopics().names().get()).contains(Topics.REQUESTS.name());
    }
  }
}
