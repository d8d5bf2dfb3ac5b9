package dev.moa.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/** Renders the overlays with {@code kubectl kustomize}, as a user would. */
final class Kustomize {

  private Kustomize() {}

  static String kubectl() {
    String kubectl = Proc.find("KUBECTL", "kubectl");
    if (kubectl == null) {
      throw new AssertionError(
          "kubectl is needed to render deploy/k8s: sudo apt-get install kubernetes-client"
              + " (bin/test installs it when run as root), or set KUBECTL");
    }
    return kubectl;
  }

  static String renderText(Path dir) {
    Proc.Result r =
        Proc.run(List.of(kubectl(), "kustomize", dir.toString()), Repo.ROOT, Duration.ofMinutes(2));
    if (r.exit() != 0) {
      throw new AssertionError(
          "kubectl kustomize " + Repo.ROOT.relativize(dir) + " failed:\n" + r.output());
    }
    return r.output();
  }

  private static String kustomizeVersion() {
    Proc.Result v =
        Proc.run(List.of(kubectl(), "version", "--client"), Repo.ROOT, Duration.ofSeconds(30));
    return v.output().replace('\n', ' ').trim();
  }

  private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

  /** The objects of an overlay, rendered once per test run; callers copy before changing one. */
  static List<JsonNode> render(String overlay) {
    return RENDERED.computeIfAbsent(
        overlay, o -> List.copyOf(Repo.documents(renderText(Repo.overlay(o)))));
  }
}
