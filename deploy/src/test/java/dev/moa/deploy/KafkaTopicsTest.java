package dev.moa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.runtime.kafka.TopicAdmin;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class KafkaTopicsTest {

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void committedKafkaTopicsEqualTheDescriptors(String overlay) throws Exception {
    String expected = KafkaTopicsYaml.render(KafkaTopicsYaml.replicationFactor(overlay));
    if (Boolean.getBoolean("moa.deploy.regenerate")) {
      Files.writeString(KafkaTopicsYaml.file(overlay), expected);
    }
    assertThat(Repo.read(KafkaTopicsYaml.file(overlay)))
        .as(
            "deploy/k8s/overlays/%s/kafka-topics.yaml differs from protocol's topic descriptors;"
                + " regenerate with: %s",
            overlay, KafkaTopicsYaml.REGENERATE)
        .isEqualTo(expected);
  }

  /** Reads the YAML back: every topic the services create, with its partitions and configs. */
  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void everyTopicOfTheServicesIsAKafkaTopicWithItsPartitionsAndConfigs(String overlay) {
    short rf = KafkaTopicsYaml.replicationFactor(overlay);
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode doc : Repo.documents(Repo.read(KafkaTopicsYaml.file(overlay)))) {
      assertThat(doc.path("kind").asString()).isEqualTo("KafkaTopic");
      byName.put(doc.path("spec").path("topicName").asString(), doc);
    }
    assertThat(byName.keySet())
        .containsExactlyInAnyOrderElementsOf(
            TopicAdmin.newTopics(rf).stream().map(NewTopic::name).toList());
    for (NewTopic t : TopicAdmin.newTopics(rf)) {
      JsonNode spec = byName.get(t.name()).path("spec");
      assertThat(spec.path("partitions").asInt()).as(t.name()).isEqualTo(t.numPartitions());
      assertThat(spec.path("replicas").asInt()).as(t.name()).isEqualTo(rf);
      Map<String, String> config = new HashMap<>();
      spec.path("config")
          .properties()
          .forEach(e -> config.put(e.getKey(), e.getValue().asString()));
      assertThat(config).as(t.name()).isEqualTo(t.configs());
    }
    assertThat(byName.get("moa.agent-tasks").path("spec").path("partitions").asInt()).isEqualTo(24);
  }
}
