package dev.moa.orchestrator.console;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code moa.orchestrator.console.*}: where the web console finds batch runs and keeps its own
 * data. The configurations are those of {@code moa.orchestrator.configs-dir}.
 *
 * @param runsDir the directory {@code moa eval} writes runs into (default {@code runs})
 * @param dataDir where the challenge leaderboard is kept (default {@code .moa/console})
 */
@ConfigurationProperties("moa.orchestrator.console")
public record ConsoleProperties(String runsDir, String dataDir) {

  public ConsoleProperties {
    runsDir = runsDir == null || runsDir.isBlank() ? "runs" : runsDir;
    dataDir = dataDir == null || dataDir.isBlank() ? ".moa/console" : dataDir;
  }
}
