package dev.moa.deploy;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The objects of one rendered overlay, looked up by kind and name. */
final class Rendered {

  final List<JsonNode> objects;

  Rendered(List<JsonNode> objects) {
    this.objects = objects;
  }

  static String name(JsonNode o) {
    return o.path("metadata").path("name").asString();
  }

  static String id(JsonNode o) {
    return o.path("kind").asString() + "/" + name(o);
  }

  List<JsonNode> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asString())).toList();
  }

  JsonNode one(String kind, String name) {
    List<JsonNode> found = all(kind).stream().filter(o -> name.equals(name(o))).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + "/" + name + ", found " + found.size());
    }
    return found.get(0);
  }

  /** A generated object: its name carries kustomize's hash suffix. */
  JsonNode generated(String kind, String name) {
    List<JsonNode> found =
        all(kind).stream().filter(o -> name(o).matches(name + "-[a-z0-9]+")).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one generated " + kind + "/" + name + "-<hash>, found " + found.size());
    }
    return found.get(0);
  }

  JsonNode workload(String name) {
    List<JsonNode> found =
        objects.stream()
            .filter(o -> List.of("Deployment", "StatefulSet").contains(o.path("kind").asString()))
            .filter(o -> name.equals(name(o)))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one Deployment or StatefulSet " + name + ", found " + found.size());
    }
    return found.get(0);
  }

  /**
   * The Spring settings of the moa-spring ConfigMap: application.yaml, then overlay.yaml over it.
   */
  JsonNode springConfig() {
    JsonNode data = generated("ConfigMap", "moa-spring").path("data");
    ObjectNode merged = (ObjectNode) Repo.YAML.readTree(data.path("application.yaml").asString());
    merge(merged, Repo.YAML.readTree(data.path("overlay.yaml").asString()));
    return merged;
  }

  private static void merge(ObjectNode into, JsonNode from) {
    from.properties()
        .forEach(
            e -> {
              JsonNode existing = into.get(e.getKey());
              if (existing instanceof ObjectNode obj && e.getValue().isObject()) {
                merge(obj, e.getValue());
              } else {
                into.set(e.getKey(), e.getValue());
              }
            });
  }
}
