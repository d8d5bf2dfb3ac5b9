package dev.moa.runtime.kafka;

import dev.moa.protocol.topic.TopicSpec;
import dev.moa.protocol.topic.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the pipeline's topics (and their dead-letter topics) from the descriptors in Topics. */
public final class TopicAdmin {

  private TopicAdmin() {}

  public static List<NewTopic> newTopics(short replicationFactor) {
    List<NewTopic> topics = new ArrayList<>();
    Map<String, String> replicated = new HashMap<>();
    if (replicationFactor > 1) {
      replicated.put("min.insync.replicas", Integer.toString(Math.min(2, replicationFactor)));
    }
    for (TopicSpec<String, ?> spec : Topics.ALL) {
      Map<String, String> configs = new HashMap<>(spec.configs());
      configs.putAll(replicated);
      topics.add(new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(configs));
    }
    for (TopicSpec<String, ?> spec : Topics.WITH_DLT) {
      Map<String, String> configs = new HashMap<>(replicated);
      configs.put("retention.ms", Long.toString(30L * 24 * 3600 * 1000));
      topics.add(
          new NewTopic(spec.dltName(), Topics.DLT_PARTITIONS, replicationFactor).configs(configs));
    }
    return topics;
  }

  /**
   * Creates every missing topic; existing ones are left as they are. Fails with a one-line message
   * when Kafka cannot be reached.
   */
  public static void ensureTopics(KafkaSettings settings, long timeoutMs) {
    Map<String, Object> props = settings.common();
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 30_000));
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing;
      try {
        existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        throw new KafkaUnreachableException(settings.bootstrap(), e);
      }
      List<NewTopic> missing =
          newTopics(settings.replicationFactor()).stream()
              .filter(t -> !existing.contains(t.name()))
              .toList();
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e);
        }
      } catch (TimeoutException e) {
        throw new KafkaUnreachableException(settings.bootstrap(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
