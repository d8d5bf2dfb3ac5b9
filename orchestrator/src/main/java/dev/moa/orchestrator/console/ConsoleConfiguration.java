package dev.moa.orchestrator.console;

import dev.moa.graders.BwrapSandbox;
import dev.moa.orchestrator.OrchestratorProperties;
import dev.moa.orchestrator.barrier.BarrierStreams;
import dev.moa.protocol.config.ConfigCatalog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Wires the web console: its plain-Java parts, and {@code /console} → {@code /console/}. */
@Configuration
@EnableConfigurationProperties(ConsoleProperties.class)
public class ConsoleConfiguration {

  @Bean
  ConsoleServices consoleServices(
      ConsoleProperties props, OrchestratorProperties orchestrator, BarrierStreams barrier) {
    Leaderboard board =
        new Leaderboard(Path.of(props.dataDir()).resolve("challenge-leaderboard.jsonl"));
    return new ConsoleServices(
        new ConfigCatalog(Path.of(orchestrator.configsDir())),
        new Challenge(BwrapSandbox::new, board, Clock.systemUTC()),
        new RunsView(Path.of(props.runsDir()), barrier::runs));
  }

  /** The console's pages are static files under {@code static/console/}; its index is its root. */
  @Bean
  RouterFunction<ServerResponse> consoleIndex() {
    ClassPathResource index = new ClassPathResource("static/console/index.html");
    return RouterFunctions.route()
        .GET("/console", r -> ServerResponse.permanentRedirect(URI.create("/console/")).build())
        .GET(
            "/console/", r -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(index))
        .build();
  }

  /** The console's parts, closed with the service. */
  public record ConsoleServices(ConfigCatalog catalog, Challenge challenge, RunsView runs)
      implements AutoCloseable {
    @Override
    public void close() {
      challenge.close();
    }
  }
}
