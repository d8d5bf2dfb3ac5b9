package dev.moa.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Paths of the repository and YAML reading for the deploy tests. */
final class Repo {

  static final ObjectMapper JSON = JsonMapper.builder().build();
  static final YAMLMapper YAML = YAMLMapper.builder().build();

  /** The repository root (tests run in deploy/). */
  static final Path ROOT = findRoot();

  static final Path DEPLOY = ROOT.resolve("deploy");
  static final Path K8S = DEPLOY.resolve("k8s");
  static final Path ALERTS = DEPLOY.resolve("prometheus/alerts.yml");
  static final List<String> OVERLAYS = List.of("local", "prod");

  private Repo() {}

  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/k8s"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("deploy/k8s not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static Path overlay(String name) {
    return K8S.resolve("overlays").resolve(name);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode yaml(Path file) {
    return YAML.readTree(read(file));
  }

  /** Every document of a multi-document YAML text; empty documents are left out. */
  static List<JsonNode> documents(String text) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(text).readAll()) {
      if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
        out.add(doc);
      }
    }
    return out;
  }
}
