package dev.moa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every object that {@code kubectl kustomize} renders is valid against the Kubernetes, KEDA,
 * Prometheus Operator and Strimzi schemas, strictly (unknown fields and unknown kinds fail); and
 * the validator does reject what it must.
 */
class ManifestValidationIT {

  @ParameterizedTest
  @ValueSource(strings = {"local", "prod"})
  void everyRenderedObjectIsValidAgainstItsSchema(String overlay) {
    List<JsonNode> objects = Kustomize.render(overlay);
    assertThat(objects).hasSizeGreaterThan(20);

    Proc.Result r = SchemaValidator.validate(objects);

    assertThat(r.output()).as("overlay " + overlay).contains(objects.size() + " objects valid");
    assertThat(r.exit()).isZero();
  }

  @Test
  void misspeltFieldIsRejected() {
    ObjectNode deployment = rendered("Deployment", "orchestrator");
    ObjectNode spec = (ObjectNode) deployment.get("spec");
    spec.set("replicaz", spec.remove("replicas"));

    assertRejected(
        deployment, "Deployment/orchestrator: spec.replicaz: unknown field \"replicaz\"");
  }

  @Test
  void misspeltFieldDeepInThePodTemplateIsRejected() {
    ObjectNode deployment = rendered("Deployment", "grader-worker");
    ObjectNode container = (ObjectNode) deployment.at("/spec/template/spec/containers/0");
    container.set("readynessProbe", container.remove("readinessProbe"));

    assertRejected(
        deployment,
        "Deployment/grader-worker: spec.template.spec.containers[0].readynessProbe: unknown field");
  }

  @Test
  void valueOfTheWrongTypeIsRejected() {
    ObjectNode deployment = rendered("Deployment", "orchestrator");
    ((ObjectNode) deployment.get("spec")).put("replicas", "two");

    assertRejected(deployment, "Deployment/orchestrator: spec.replicas: must be integer");
  }

  @Test
  void misspeltFieldsOfCustomResourcesAreRejected() {
    ObjectNode scaled = rendered("ScaledObject", "agent-worker");
    ObjectNode spec = (ObjectNode) scaled.get("spec");
    spec.set("maxReplicaCounts", spec.remove("maxReplicaCount"));
    assertRejected(scaled, "ScaledObject/agent-worker: spec.maxReplicaCounts: unknown field");

    ObjectNode topic = rendered("KafkaTopic", "moa.agent-tasks");
    ObjectNode topicSpec = (ObjectNode) topic.get("spec");
    topicSpec.set("partition", topicSpec.remove("partitions"));
    assertRejected(topic, "KafkaTopic/moa.agent-tasks: spec.partition: unknown field");

    ObjectNode monitor = rendered("ServiceMonitor", "moa-services");
    ((ObjectNode) monitor.at("/spec/endpoints/0")).put("pathz", "/actuator/prometheus");
    assertRejected(monitor, "ServiceMonitor/moa-services: spec.endpoints[0].pathz: unknown field");
  }

  @Test
  void invalidEnumValueIsRejected() {
    ObjectNode pool = rendered("KafkaNodePool", "dual-role");
    ((ObjectNode) pool.at("/spec/storage")).put("type", "tmpfs");

    assertRejected(
        pool,
        "KafkaNodePool/dual-role: spec.storage.type: must be equal to one of the allowed values");
  }

  @Test
  void objectOfAnUnknownKindIsRejected() {
    ObjectNode widget = Repo.JSON.createObjectNode();
    widget.put("apiVersion", "example.com/v1").put("kind", "Widget");
    widget.putObject("metadata").put("name", "w");

    assertRejected(widget, "Widget/w: unknown kind");
  }

  @Test
  void freeFormMapsAcceptAnyKey() {
    ObjectNode topic = rendered("KafkaTopic", "moa.runs");
    ((ObjectNode) topic.at("/spec/config")).put("segment.ms", "3600000");
    ((ObjectNode) topic.at("/metadata/labels")).put("team", "moa");

    Proc.Result r = SchemaValidator.validate(List.of(topic));

    assertThat(r.output()).contains("1 objects valid");
    assertThat(r.exit()).isZero();
  }

  private static ObjectNode rendered(String kind, String name) {
    return (ObjectNode)
        Kustomize.render("local").stream()
            .filter(o -> kind.equals(o.path("kind").asString()))
            .filter(o -> name.equals(o.path("metadata").path("name").asString()))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no " + kind + "/" + name + " in the local overlay"))
            .deepCopy();
  }

  private static void assertRejected(JsonNode object, String expectedError) {
    Proc.Result r = SchemaValidator.validate(List.of(object));
    assertThat(r.output()).contains(expectedError);
    assertThat(r.exit()).isEqualTo(1);
  }
}
