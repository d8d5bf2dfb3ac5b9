package dev.moa.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalPrometheusTest {

  @Test
  void theConfigScrapesEveryServiceAndTheSimulator() {
    String yaml =
        LocalPrometheus.config(
            LocalPrometheus.targets(
                java.util.Map.of("orchestrator", "http://127.0.0.1:8080"),
                "http://127.0.0.1:9000/v1"),
            List.of(Path.of("/repo/deploy/prometheus/alerts.yml")),
            Duration.ofSeconds(2));

    assertThat(yaml)
        .contains("scrape_interval: 2000ms")
        .contains("rule_files:\n  - '/repo/deploy/prometheus/alerts.yml'")
        .contains(
            "  - job_name: 'orchestrator'\n    scheme: http\n    metrics_path: '/actuator/prometheus'\n    static_configs:\n      - targets: ['127.0.0.1:8080']")
        .contains(
            "  - job_name: 'simulator'\n    scheme: http\n    metrics_path: '/metrics'\n    static_configs:\n      - targets: ['127.0.0.1:9000']");
  }
}
