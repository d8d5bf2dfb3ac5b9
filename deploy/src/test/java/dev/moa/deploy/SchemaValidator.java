package dev.moa.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Runs deploy/validate/validate.mjs (node, with the kubernetes-models packages of
 * deploy/package-lock.json) on a list of objects.
 */
final class SchemaValidator {

  private SchemaValidator() {}

  static Proc.Result validate(List<JsonNode> objects) {
    String node = Proc.find("NODE", "node");
    if (node == null) {
      throw new AssertionError(
          "node is needed to validate deploy/k8s against the schemas: sudo apt-get install nodejs npm");
    }
    ensurePackages();
    try {
      Path file = Files.createTempFile("moa-objects-", ".json");
      try {
        Files.writeString(file, Repo.JSON.writeValueAsString(objects));
        return Proc.run(
            List.of(node, "validate/validate.mjs", file.toString()),
            Repo.DEPLOY,
            Duration.ofMinutes(2));
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Installs the locked packages when deploy/node_modules is missing (bin/test does it too). */
  private static synchronized void ensurePackages() {
    if (Files.isDirectory(Repo.DEPLOY.resolve("node_modules/kubernetes-models"))) {
      return;
    }
    String npm = Proc.find("NPM", "npm");
    if (npm == null) {
      throw new AssertionError(
          "npm is needed to install the schema packages: sudo apt-get install npm");
    }
    Proc.Result r =
        Proc.run(
            List.of(npm, "ci", "--no-audit", "--no-fund"), Repo.DEPLOY, Duration.ofMinutes(10));
    if (r.exit() != 0) {
      throw new AssertionError("npm ci in deploy/ failed:\n" + r.output());
    }
  }
}
