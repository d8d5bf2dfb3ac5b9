package dev.moa.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Three real KRaft nodes: a topic is replicated to all three; with one node killed (SIGKILL),
 * acks=all writes still succeed (min.insync.replicas 2); the node restarts on its ports and data
 * and rejoins the ISR.
 */
class LocalClusterIT {

  @Test
  void survivesOneNodeKilledAndRestarted() throws Exception {
    Path dir = Files.createTempDirectory("local-cluster-it");
    try (LocalCluster cluster = LocalCluster.start(3, dir, Duration.ofMinutes(3));
        Admin admin =
            Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap()));
        KafkaProducer<String, String> producer =
            new KafkaProducer<>(
                Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrap(),
                    ProducerConfig.ACKS_CONFIG,
                    "all"),
                new StringSerializer(),
                new StringSerializer())) {
      assertThat(cluster.bootstrap().split(",")).hasSize(3);
      admin.createTopics(List.of(new NewTopic("t", 3, (short) 3))).all().get(60, TimeUnit.SECONDS);
      TopicDescription d =
          whenKnown(() -> admin.describeTopics(List.of("t")).allTopicNames().get().get("t"));
      d.partitions().forEach(p -> assertThat(p.replicas()).hasSize(3));
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "t");
      String minIsr =
          whenKnown(
              () ->
                  admin
                      .describeConfigs(List.of(topic))
                      .all()
                      .get()
                      .get(topic)
                      .get("min.insync.replicas")
                      .value());
      assertThat(minIsr).isEqualTo("2");

      cluster.kill(2);
      assertThat(cluster.isAlive(2)).isFalse();
      for (int i = 0; i < 30; i++) {
        producer.send(new ProducerRecord<>("t", "k" + i, "v" + i)).get(60, TimeUnit.SECONDS);
      }

      long oldPid = cluster.pid(2);
      cluster.restart(2, Duration.ofMinutes(2));
      assertThat(cluster.isAlive(2)).isTrue();
      assertThat(cluster.pid(2)).isNotEqualTo(oldPid);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      boolean inSync = false;
      while (!inSync && System.nanoTime() < deadline) {
        inSync =
            admin.describeTopics(List.of("t")).allTopicNames().get().get("t").partitions().stream()
                .allMatch(p -> p.isr().stream().anyMatch(n -> n.id() == 2));
        Thread.sleep(250);
      }
      assertThat(inSync).as("node 2 back in every partition's ISR").isTrue();
    }
  }

  /**
   * Calls {@code call} again for up to 30 s while the node asked answers UnknownTopicOrPartition: a
   * node that has not applied a new topic's metadata yet says so (seen once in CI, asking for the
   * configs of a topic another node had just described).
   */
  private static <T> T whenKnown(Callable<T> call) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return call.call();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }
}
