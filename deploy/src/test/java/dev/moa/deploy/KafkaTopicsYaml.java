package dev.moa.deploy;

import dev.moa.runtime.kafka.TopicAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Writes Strimzi KafkaTopic resources for exactly the topics the services create themselves ({@link
 * TopicAdmin#newTopics}: protocol's {@code Topics} descriptors and their dead-letter topics), so
 * that partitions and configs are declared once. Run {@link #main} or KafkaTopicsTest with {@code
 * -Dmoa.deploy.regenerate=true} after changing a descriptor.
 */
final class KafkaTopicsYaml {

  static final String CLUSTER = "moa";

  static final String REGENERATE =
      "mvn -o -q -pl deploy -am verify -Dtest=KafkaTopicsTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -DskipITs -Dmoa.deploy.regenerate=true";

  private KafkaTopicsYaml() {}

  static String render(short replicationFactor) {
    StringBuilder out = new StringBuilder();
    out.append(
            "# Generated from protocol's topic descriptors (dev.moa.protocol.topic.Topics, as runtime's\n")
        .append(
            "# TopicAdmin creates them) by deploy/src/test/java/dev/moa/deploy/KafkaTopicsYaml.java.\n")
        .append("# Do not edit: KafkaTopicsTest fails when this file differs. Regenerate with\n")
        .append("#   ")
        .append(REGENERATE)
        .append('\n');
    boolean first = true;
    for (NewTopic t : TopicAdmin.newTopics(replicationFactor)) {
      if (!first) {
        out.append("---\n");
      }
      first = false;
      out.append("apiVersion: kafka.strimzi.io/v1\n")
          .append("kind: KafkaTopic\n")
          .append("metadata:\n")
          .append("  name: ")
          .append(t.name())
          .append('\n')
          .append("  labels:\n")
          .append("    strimzi.io/cluster: ")
          .append(CLUSTER)
          .append('\n')
          .append("spec:\n")
          .append("  topicName: ")
          .append(t.name())
          .append('\n')
          .append("  partitions: ")
          .append(t.numPartitions())
          .append('\n')
          .append("  replicas: ")
          .append(t.replicationFactor())
          .append('\n')
          .append("  config:\n");
      for (Map.Entry<String, String> c : new TreeMap<>(t.configs()).entrySet()) {
        out.append("    ").append(c.getKey()).append(": \"").append(c.getValue()).append("\"\n");
      }
    }
    return out.toString();
  }

  static Path file(String overlay) {
    return Repo.overlay(overlay).resolve("kafka-topics.yaml");
  }

  /** The replication factor an overlay's services use (its spring/overlay.yaml). */
  static short replicationFactor(String overlay) {
    int rf =
        Repo.yaml(Repo.overlay(overlay).resolve("spring/overlay.yaml"))
            .path("moa")
            .path("kafka")
            .path("replication-factor")
            .asInt(0);
    if (rf < 1) {
      throw new AssertionError(
          "deploy/k8s/overlays/"
              + overlay
              + "/spring/overlay.yaml: moa.kafka.replication-factor missing");
    }
    return (short) rf;
  }

  /** Rewrites every overlay's kafka-topics.yaml. */
  public static void main(String[] args) throws Exception {
    for (String overlay : Repo.OVERLAYS) {
      Files.writeString(file(overlay), render(replicationFactor(overlay)));
    }
  }
}
