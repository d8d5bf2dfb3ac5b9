package dev.moa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.topic.TopicSpec;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.TopicAdmin;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** What the rendered overlays must say, beyond schema validity. */
class OverlaysIT {

  static final List<String> SERVICES =
      List.of("orchestrator", "agent-worker", "aggregator", "grader-worker");

  /** KEDA-scaled workers: their consumer group constant (in the service's sources) and topic. */
  record Worker(
      String name,
      String configurationSource,
      String listenerSource,
      String topicConstant,
      TopicSpec<?, ?> topic) {}

  static final List<Worker> WORKERS =
      List.of(
          new Worker(
              "agent-worker",
              "agent-worker/src/main/java/dev/moa/agentworker/AgentWorkerConfiguration.java",
              "agent-worker/src/main/java/dev/moa/agentworker/AgentTaskListener.java",
              "Topics.AGENT_TASKS.name(), AgentWorkerConfiguration.GROUP_ID",
              Topics.AGENT_TASKS),
          new Worker(
              "grader-worker",
              "grader-worker/src/main/java/dev/moa/graderworker/GraderWorkerConfiguration.java",
              "grader-worker/src/main/java/dev/moa/graderworker/AnswerGradingConsumer.java",
              "Topics.ANSWERS.name(), GraderWorkerConfiguration.GROUP_ID",
              Topics.ANSWERS));

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void everyServiceHasAWorkloadAServiceAndABudgetInNamespaceMoa(String overlay) {
    Rendered r = new Rendered(Kustomize.render(overlay));
    assertThat(r.one("Namespace", "moa")).isNotNull();
    for (JsonNode o : r.objects) {
      if (!o.path("kind").asString().equals("Namespace")) {
        assertThat(o.path("metadata").path("namespace").asString())
            .as(Rendered.id(o))
            .isEqualTo("moa");
      }
    }
    for (String s : SERVICES) {
      JsonNode workload = r.workload(s);
      assertThat(workload.path("kind").asString())
          .isEqualTo(s.equals("aggregator") ? "StatefulSet" : "Deployment");
      assertThat(r.one("Service", s).at("/spec/selector/app.kubernetes.io~1name").asString())
          .isEqualTo(s);
      assertThat(r.one("Service", s).at("/metadata/labels/moa.dev~1metrics").asString())
          .isEqualTo("actuator");
      assertThat(
              r.one("PodDisruptionBudget", s)
                  .at("/spec/selector/matchLabels/app.kubernetes.io~1name")
                  .asString())
          .isEqualTo(s);
    }
    assertThat(r.all("Deployment").stream().anyMatch(d -> Rendered.name(d).equals("simulator")))
        .as("in-cluster simulator only in the local overlay")
        .isEqualTo(overlay.equals("local"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void podsProbeActuatorHealthRunAsNonRootAndOutliveTheirDrain(String overlay) {
    Rendered r = new Rendered(Kustomize.render(overlay));
    JsonNode spring = r.springConfig();
    assertThat(spring.at("/management/endpoint/health/probes/enabled").asBoolean()).isTrue();
    assertThat(spring.at("/server/address").asString()).isEqualTo("0.0.0.0");
    Duration shutdownPhase =
        duration(spring.at("/spring/lifecycle/timeout-per-shutdown-phase").asString());
    for (String s : SERVICES) {
      JsonNode pod = r.workload(s).at("/spec/template/spec");
      JsonNode c = pod.at("/containers/0");
      assertThat(c.at("/livenessProbe/httpGet/path").asString())
          .as(s)
          .isEqualTo("/actuator/health/liveness");
      assertThat(c.at("/readinessProbe/httpGet/path").asString())
          .as(s)
          .isEqualTo("/actuator/health/readiness");
      assertThat(c.at("/resources/requests/memory").isMissingNode()).as(s + " resources").isFalse();
      assertThat(c.at("/resources/limits/memory").isMissingNode()).as(s + " resources").isFalse();
      assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as(s).isTrue();
      assertThat(pod.at("/securityContext/runAsUser").asInt()).as(s).isPositive();
      assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).as(s).isFalse();
      assertThat(c.at("/securityContext/privileged").asBoolean(false)).as(s).isFalse();
      assertThat(c.at("/securityContext/capabilities/drop/0").asString()).as(s).isEqualTo("ALL");

      Duration grace = Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong());
      Duration drain = s.equals("orchestrator") ? Duration.ZERO : drainTimeout(spring, s);
      assertThat(grace)
          .as(s + ": terminationGracePeriodSeconds vs drain " + drain)
          .isGreaterThan(drain);
      assertThat(grace)
          .as(s + ": terminationGracePeriodSeconds vs Spring's shutdown phase")
          .isGreaterThan(shutdownPhase);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void graderWorkerPodAllowsBubblewrapsUserNamespacesWithoutPrivilege(String overlay) {
    JsonNode pod =
        new Rendered(Kustomize.render(overlay)).workload("grader-worker").at("/spec/template/spec");
    JsonNode c = pod.at("/containers/0");
    assertThat(pod.path("hostUsers").asBoolean(true)).isFalse();
    assertThat(pod.at("/securityContext/seccompProfile/type").asString()).isEqualTo("Unconfined");
    assertThat(pod.at("/securityContext/appArmorProfile/type").asString()).isEqualTo("Unconfined");
    assertThat(c.at("/securityContext/procMount").asString()).isEqualTo("Unmasked");
    assertThat(c.at("/securityContext/privileged").asBoolean(false)).isFalse();
    assertThat(c.at("/securityContext/capabilities/add").isMissingNode()).isTrue();
    // The other services keep the runtime's default seccomp profile.
    JsonNode agent =
        new Rendered(Kustomize.render(overlay)).workload("agent-worker").at("/spec/template/spec");
    assertThat(agent.at("/securityContext/seccompProfile/type").asString())
        .isEqualTo("RuntimeDefault");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void scaledObjectsFollowTheWorkersConsumerGroupsAndStayWithinThePartitions(String overlay) {
    Rendered r = new Rendered(Kustomize.render(overlay));
    assertThat(r.all("ScaledObject")).hasSize(WORKERS.size());
    for (Worker w : WORKERS) {
      JsonNode so = r.one("ScaledObject", w.name());
      assertThat(so.at("/spec/scaleTargetRef/name").asString()).isEqualTo(w.name());
      JsonNode trigger = so.at("/spec/triggers/0");
      assertThat(trigger.path("type").asString()).isEqualTo("kafka");
      assertThat(trigger.at("/metadata/consumerGroup").asString()).isEqualTo(groupId(w));
      assertThat(Repo.read(Repo.ROOT.resolve(w.listenerSource()))).contains(w.topicConstant());
      String topicName = trigger.at("/metadata/topic").asString();
      assertThat(topicName).isEqualTo(w.topic().name());
      int partitions =
          Topics.ALL.stream()
              .filter(t -> t.name().equals(topicName))
              .findFirst()
              .orElseThrow()
              .partitions();
      int min = so.at("/spec/minReplicaCount").asInt();
      int max = so.at("/spec/maxReplicaCount").asInt();
      assertThat(max)
          .as(overlay + ": " + w.name() + " maxReplicaCount vs partitions of " + topicName)
          .isLessThanOrEqualTo(partitions);
      assertThat(min).isBetween(1, max);
      assertThat(trigger.at("/metadata/bootstrapServers").asString())
          .startsWith(r.all("Kafka").get(0).at("/metadata/name").asString() + "-kafka-bootstrap");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void kafkaTopicsEqualTheTopicsTheServicesCreateAtTheOverlaysReplicationFactor(String overlay) {
    Rendered r = new Rendered(Kustomize.render(overlay));
    short rf = (short) r.springConfig().at("/moa/kafka/replication-factor").asInt();
    String cluster = Rendered.name(r.all("Kafka").get(0));
    assertThat(r.all("Kafka")).hasSize(1);
    assertThat(r.all("Kafka").get(0).at("/spec/kafka/config/default.replication.factor").asInt())
        .isEqualTo(rf);
    int brokers =
        r.all("KafkaNodePool").stream()
            .filter(p -> p.at("/spec/roles").toString().contains("broker"))
            .mapToInt(p -> p.at("/spec/replicas").asInt())
            .sum();
    assertThat(brokers).as("brokers for replication factor " + rf).isGreaterThanOrEqualTo(rf);
    for (JsonNode pool : r.all("KafkaNodePool")) {
      assertThat(pool.at("/metadata/labels/strimzi.io~1cluster").asString()).isEqualTo(cluster);
    }
    Map<String, JsonNode> topics = new HashMap<>();
    for (JsonNode t : r.all("KafkaTopic")) {
      assertThat(t.at("/metadata/labels/strimzi.io~1cluster").asString()).isEqualTo(cluster);
      topics.put(t.at("/spec/topicName").asString(), t.path("spec"));
    }
    List<NewTopic> expected = TopicAdmin.newTopics(rf);
    assertThat(topics).hasSize(expected.size());
    for (NewTopic t : expected) {
      JsonNode spec = topics.get(t.name());
      assertThat(spec).as(t.name()).isNotNull();
      assertThat(spec.path("partitions").asInt()).as(t.name()).isEqualTo(t.numPartitions());
      assertThat(spec.path("replicas").asInt()).as(t.name()).isEqualTo(rf);
      Map<String, String> config = new HashMap<>();
      spec.path("config")
          .properties()
          .forEach(e -> config.put(e.getKey(), e.getValue().asString()));
      assertThat(config).as(t.name()).isEqualTo(t.configs());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void configMapsCarryTheMoaConfigFileAndTheRulesAndMonitorAreThere(String overlay) {
    Rendered r = new Rendered(Kustomize.render(overlay));
    JsonNode moaConfig = r.generated("ConfigMap", "moa-config");
    // Every shipped config (configs/*.yaml) is in it, so the cluster serves them all as models.
    try (var files = java.nio.file.Files.list(Repo.ROOT.resolve("configs"))) {
      List<String> shipped =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".yaml"))
              .sorted()
              .toList();
      assertThat(shipped).contains("workshop.yaml", "planner-critic.yaml", "self-moa.yaml");
      for (String name : shipped) {
        assertThat(moaConfig.at("/data/" + name.replace("~", "~0").replace("/", "~1")).asString())
            .as("ConfigMap moa-config carries configs/%s", name)
            .isEqualTo(Repo.read(Repo.ROOT.resolve("configs").resolve(name)));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(r.springConfig().at("/moa/orchestrator/default-config").asString())
        .isEqualTo("/etc/moa/config/workshop.yaml");
    // The OpenAI-compatible API serves the same ConfigMap's files as moa/<name> models.
    assertThat(r.springConfig().at("/moa/orchestrator/configs-dir").asString())
        .isEqualTo("/etc/moa/config");
    JsonNode orchestratorVolumes = r.workload("orchestrator").at("/spec/template/spec/volumes");
    assertThat(orchestratorVolumes.toString()).contains(Rendered.name(moaConfig));

    assertThat(r.one("PrometheusRule", "moa").at("/spec/groups"))
        .isEqualTo(Repo.yaml(Repo.ALERTS).path("groups"));
    JsonNode monitor = r.one("ServiceMonitor", "moa-services");
    assertThat(monitor.at("/spec/selector/matchLabels/moa.dev~1metrics").asString())
        .isEqualTo("actuator");
    assertThat(monitor.at("/spec/endpoints/0/path").asString()).isEqualTo("/actuator/prometheus");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void providerKeysComeFromTheSecretOptionalOnlyLocally(String overlay) {
    Rendered r = new Rendered(Kustomize.render(overlay));
    for (String s : SERVICES) {
      JsonNode ref = null;
      for (JsonNode env : r.workload(s).at("/spec/template/spec/containers/0/env")) {
        if (env.path("name").asString().equals("CEREBRAS_API_KEY")) {
          ref = env.at("/valueFrom/secretKeyRef");
        }
      }
      assertThat(ref).as(s + " CEREBRAS_API_KEY").isNotNull();
      assertThat(ref.path("name").asString()).isEqualTo("moa-provider-keys");
      assertThat(ref.path("optional").asBoolean()).as(s).isEqualTo(overlay.equals("local"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void orchestratorsApiTokenComesFromARequiredSecretAndNoCredentialIsALiteral(String overlay) {
    Rendered r = new Rendered(Kustomize.render(overlay));
    JsonNode ref = null;
    for (JsonNode env : r.workload("orchestrator").at("/spec/template/spec/containers/0/env")) {
      if (env.path("name").asString().equals("MOA_API_TOKEN")) {
        ref = env.at("/valueFrom/secretKeyRef");
        assertThat(env.has("value")).as("MOA_API_TOKEN must not be a literal").isFalse();
      }
    }
    // Bound to 0.0.0.0 in the pod, the orchestrator refuses to start without the token.
    assertThat(r.springConfig().at("/server/address").asString()).isEqualTo("0.0.0.0");
    assertThat(ref).as("orchestrator MOA_API_TOKEN").isNotNull();
    assertThat(ref.path("name").asString()).isEqualTo("moa-api-token");
    assertThat(ref.path("key").asString()).isEqualTo("MOA_API_TOKEN");
    assertThat(ref.path("optional").asBoolean()).isFalse();
    // Keys, tokens and passwords only ever come from Secrets, in every container of the overlay.
    for (JsonNode o : r.objects) {
      for (JsonNode c : o.at("/spec/template/spec/containers")) {
        for (JsonNode env : c.path("env")) {
          String name = env.path("name").asString();
          if (name.matches(".*(KEY|TOKEN|PASSWORD|SECRET).*")) {
            assertThat(env.has("value"))
                .as(Rendered.id(o) + " env " + name + " is a literal, not a secretKeyRef")
                .isFalse();
            assertThat(env.at("/valueFrom/secretKeyRef").isMissingNode())
                .as(Rendered.id(o) + " env " + name)
                .isFalse();
          }
        }
      }
    }
    // No ConfigMap carries a credential (the Spring settings name variables, never values).
    for (JsonNode cm : r.all("ConfigMap")) {
      assertThat(cm.path("data").toString())
          .as(Rendered.id(cm))
          .doesNotContainPattern(
              "(?i)(api_key|api-key|token|password)\\s*[:=]\\s*[^\\s\"]*[a-z0-9]{16,}");
    }
  }

  private static String groupId(Worker w) {
    Matcher m =
        Pattern.compile("GROUP_ID = \"([^\"]+)\"")
            .matcher(Repo.read(Repo.ROOT.resolve(w.configurationSource())));
    assertThat(m.find()).as(w.configurationSource() + " declares GROUP_ID").isTrue();
    return m.group(1);
  }

  private static Duration drainTimeout(JsonNode spring, String service) {
    String value = spring.path("moa").path(service).path("drain-timeout").asString("");
    if (value.isEmpty()) {
      value =
          Repo.yaml(Repo.ROOT.resolve(service + "/src/main/resources/application.yaml"))
              .path("moa")
              .path(service)
              .path("drain-timeout")
              .asString("");
    }
    assertThat(value).as("moa." + service + ".drain-timeout").isNotEmpty();
    return duration(value);
  }

  static Duration duration(String value) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(value);
    assertThat(m.matches()).as("duration " + value).isTrue();
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }
}
