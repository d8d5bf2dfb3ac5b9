package dev.moa.orchestrator.console;

import dev.moa.graders.BwrapSandbox;
import dev.moa.orchestrator.OrchestratorProperties;
import dev.moa.orchestrator.barrier.BarrierStreams;
import dev.moa.protocol.config.ConfigCatalog;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.config.ResolvedProvider;
import dev.moa.runtime.kafka.KafkaSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;
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
      ConsoleProperties props,
      OrchestratorProperties orchestrator,
      BarrierStreams barrier,
      KafkaSettings settings) {
    // A resumed run's providers are resolved as the HTTP intake resolves a request's.
    Function<MoaConfig, Map<String, ResolvedProvider>> providers =
        config -> {
          try {
            return ProviderResolver.resolve(
                config, System::getenv, orchestrator.simulatorBaseUrl());
          } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage().replace("\n", "; "), e);
          }
        };
    Leaderboard board =
        new Leaderboard(Path.of(props.dataDir()).resolve("challenge-leaderboard.jsonl"));
    return new ConsoleServices(
        new ConfigCatalog(Path.of(orchestrator.configsDir())),
        new Challenge(BwrapSandbox::new, board, Clock.systemUTC()),
        new RunsView(Path.of(props.runsDir()), barrier::runs, Clock.systemUTC()),
        new RunResumer(
            Path.of(props.runsDir()), settings, providers, barrier::runs, Clock.systemUTC()));
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
  public record ConsoleServices(
      ConfigCatalog catalog, Challenge challenge, RunsView runs, RunResumer resumer)
      implements AutoCloseable {
    @Override
    public void close() {
      challenge.close();
      resumer.close();
    }
  }
}
