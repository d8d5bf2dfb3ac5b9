package dev.moa.orchestrator.console;

import dev.moa.batch.EvalResume;
import dev.moa.batch.RunCancellation;
import dev.moa.graders.ChallengeGrader;
import dev.moa.orchestrator.security.JsonErrors;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.config.ConfigError;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.SeedImporter;
import dev.moa.protocol.serde.AvroTrust;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The web console's JSON API under {@code /api}: configurations, the challenge, batch runs. Chat
 * and the challenge's generation go through {@code POST /v1/chat/completions} from the page. File
 * and sandbox work runs off the event loop.
 */
@RestController
@RequestMapping("/api")
public class ConsoleController implements DisposableBean {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ConsoleConfiguration.ConsoleServices services;
  private final KafkaSettings settings;
  private final RunCancellation cancellation;
  private KafkaProducer<String, RunState> runsProducer;

  public ConsoleController(ConsoleConfiguration.ConsoleServices services, KafkaSettings settings) {
    this.services = services;
    this.settings = settings;
    this.cancellation = new RunCancellation(this::runState, this::publish, Clock.systemUTC());
    // Copying a RunState (cancel) loads Avro classes by name; they must be trusted first.
    AvroTrust.install();
  }

  private static <T> Mono<ResponseEntity<T>> blocking(Callable<ResponseEntity<T>> work) {
    return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
  }

  /**
   * The request body as JSON; otherwise a 400 that the API's error handler ({@code IntakeErrors})
   * answers as {@code {"error": "the body is not JSON: ..."}}.
   */
  private static JsonNode jsonBody(String body) {
    try {
      return JSON.readTree(body == null ? "" : body);
    } catch (RuntimeException e) {
      throw new ResponseStatusException(
          HttpStatus.BAD_REQUEST, "the body is not JSON: " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> ResponseEntity<T> error(HttpStatus status, String message) {
    return (ResponseEntity<T>) ResponseEntity.status(status).body(JsonErrors.body(message));
  }

  private static ResponseEntity<Object> invalid(String message, List<ConfigError> errors) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("errors", errorList(errors));
    return ResponseEntity.badRequest().body(body);
  }

  private static List<Map<String, String>> errorList(List<ConfigError> errors) {
    List<Map<String, String>> out = new ArrayList<>();
    for (ConfigError e : errors) {
      out.add(Map.of("path", e.path(), "message", e.message()));
    }
    return out;
  }

  // ---- configurations ----

  @GetMapping("/configs")
  public Mono<ResponseEntity<Object>> configs() {
    return blocking(
        () -> {
          List<Map<String, Object>> list = new ArrayList<>();
          for (String name : services.catalog().names()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", name);
            try {
              MoaConfig config = services.catalog().load(name);
              c.put("valid", true);
              c.put("layers", config.layers().size());
              c.put("agents", config.layers().stream().mapToInt(l -> l.agents().size()).sum());
              c.put("aggregator", config.aggregator().model());
            } catch (ConfigException e) {
              c.put("valid", false);
              c.put("error", e.getMessage());
            }
            list.add(c);
          }
          return ResponseEntity.ok(
              Map.of("configs", list, "dir", services.catalog().dir().toString()));
        });
  }

  @GetMapping("/configs/{name}")
  public Mono<ResponseEntity<Object>> config(@PathVariable String name) {
    return blocking(
        () -> {
          String text;
          try {
            text = services.catalog().text(name);
          } catch (ConfigException e) {
            return error(HttpStatus.NOT_FOUND, e.getMessage());
          }
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("name", name);
          body.put("yaml", text);
          try {
            body.put("form", ConfigForm.of(services.catalog().load(name)));
            body.put("errors", List.of());
          } catch (ConfigException e) {
            body.put("form", null);
            body.put("errors", errorList(e.errors()));
          }
          return ResponseEntity.ok(body);
        });
  }

  /** Checks a form without saving it: the page shows each error beside its field. */
  @PostMapping("/configs/validate")
  public Mono<ResponseEntity<Object>> validate(@RequestBody(required = false) String form) {
    return blocking(
        () -> {
          ConfigForm.Checked checked = ConfigForm.check(form == null ? "" : form, "form");
          List<ConfigError> errors =
              checked instanceof ConfigForm.Invalid i ? i.errors() : List.of();
          return ResponseEntity.ok(Map.of("valid", errors.isEmpty(), "errors", errorList(errors)));
        });
  }

  @PutMapping("/configs/{name}")
  public Mono<ResponseEntity<Object>> save(
      @PathVariable String name, @RequestBody(required = false) String form) {
    return blocking(
        () -> {
          ConfigForm.Checked checked = ConfigForm.check(form == null ? "" : form, name + ".yaml");
          if (checked instanceof ConfigForm.Invalid i) {
            return invalid("the configuration has errors", i.errors());
          }
          ConfigForm.Valid valid = (ConfigForm.Valid) checked;
          if (!valid.config().name().equals(name)) {
            return invalid(
                "the configuration has errors",
                List.of(
                    new ConfigError(
                        "name",
                        "'"
                            + valid.config().name()
                            + "' must be the name it is saved under, '"
                            + name
                            + "'")));
          }
          try {
            services.catalog().save(name, valid.yaml());
          } catch (ConfigException e) {
            return invalid(e.getMessage(), e.errors());
          }
          return ResponseEntity.ok(
              Map.of("name", name, "yaml", valid.yaml(), "form", ConfigForm.of(valid.config())));
        });
  }

  /** The seed app's export ({@code {"json": "...", "name": "..."}}) as a form, not saved yet. */
  @PostMapping("/configs/import-seed")
  public Mono<ResponseEntity<Object>> importSeed(@RequestBody(required = false) String body) {
    return blocking(
        () -> {
          JsonNode req = jsonBody(body);
          String name = req.path("name").asString("");
          if (name.isBlank() || !req.path("json").isString()) {
            return error(
                HttpStatus.BAD_REQUEST, "the body needs \"name\" and \"json\" (the export's text)");
          }
          String source = name + ".json";
          try {
            String yaml = SeedImporter.toYaml(req.path("json").asString(), source);
            MoaConfig config = ConfigLoader.parse(yaml, name + ".yaml");
            return ResponseEntity.ok(Map.of("yaml", yaml, "form", ConfigForm.of(config)));
          } catch (ConfigException e) {
            return invalid(e.getMessage(), e.errors());
          }
        });
  }

  @GetMapping("/configs/{name}/seed")
  public Mono<ResponseEntity<Object>> exportSeed(@PathVariable String name) {
    return blocking(
        () -> {
          try {
            SeedExport.Export export = SeedExport.of(services.catalog().load(name), Instant.now());
            return ResponseEntity.ok(
                Map.of("export", export.json(), "warnings", export.warnings()));
          } catch (ConfigException e) {
            return error(HttpStatus.NOT_FOUND, e.getMessage());
          }
        });
  }

  // ---- the challenge ----

  @GetMapping("/challenge")
  public Map<String, Object> challenge() {
    return Map.of(
        "prompt",
        Challenge.PROMPT,
        "function",
        ChallengeGrader.FUNCTION,
        "max",
        ChallengeGrader.MAX);
  }

  /**
   * Grades an answer the page generated with a config ({@code {"config", "answer", "tokens",
   * "latency_ms"}}) and puts it on the leaderboard.
   */
  @PostMapping("/challenge/grade")
  public Mono<ResponseEntity<Object>> grade(@RequestBody(required = false) String body) {
    return blocking(
        () -> {
          JsonNode req = jsonBody(body);
          if (!req.path("config").isString() || !req.path("answer").isString()) {
            return error(HttpStatus.BAD_REQUEST, "the body needs \"config\" and \"answer\"");
          }
          MoaConfig config;
          try {
            config = services.catalog().load(req.path("config").asString());
          } catch (ConfigException e) {
            return error(HttpStatus.NOT_FOUND, e.getMessage());
          }
          try {
            Challenge.Graded graded =
                services
                    .challenge()
                    .grade(
                        config,
                        req.path("answer").asString(),
                        req.path("tokens").asLong(0),
                        req.path("latency_ms").asLong(0));
            return ResponseEntity.ok(
                Map.of(
                    "details",
                    graded.details(),
                    "attempt",
                    graded.attempt(),
                    "leaderboard",
                    services.challenge().board().board()));
          } catch (Challenge.GradingFailed e) {
            return error(HttpStatus.SERVICE_UNAVAILABLE, "cannot grade: " + e.getMessage());
          }
        });
  }

  @GetMapping("/challenge/leaderboard")
  public Mono<ResponseEntity<Object>> leaderboard() {
    return blocking(
        () -> ResponseEntity.ok(Map.of("leaderboard", services.challenge().board().board())));
  }

  // ---- runs ----

  @GetMapping("/runs")
  public Mono<ResponseEntity<Object>> runs() {
    return blocking(
        () ->
            ResponseEntity.ok(
                Map.of(
                    "runs",
                    services.runs().list().stream().map(this::withResume).toList(),
                    "dir",
                    services.runs().runsDir().toString())));
  }

  private static ObjectNode progressJson(RunResumer.Progress p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("done", p.done());
    n.put("total", p.total());
    n.put("failed", p.failed());
    n.put("tokens", p.tokens());
    n.put("pending", p.pending());
    n.put("elapsed_ms", p.elapsedMs());
    n.put("finished", p.finished());
    n.put("ending", p.ending());
    n.put("error", p.error());
    return n;
  }

  /** Adds this process's resume of the run, if any: its progress, and running while it goes. */
  private ObjectNode withResume(ObjectNode run) {
    services
        .resumer()
        .progress(run.path("run_id").asString(""))
        .ifPresent(
            p -> {
              run.set("resume", progressJson(p));
              if (!p.finished()) {
                run.put("status", "running");
                run.put("resumable", false);
              }
            });
    return run;
  }

  @GetMapping("/runs/{runId}")
  public Mono<ResponseEntity<Object>> run(@PathVariable String runId) {
    return blocking(
        () ->
            services
                .runs()
                .detail(runId)
                .<ResponseEntity<Object>>map(
                    d -> {
                      withResume((ObjectNode) d.get("run"));
                      return ResponseEntity.ok(d);
                    })
                .orElseGet(() -> error(HttpStatus.NOT_FOUND, "no run " + runId)));
  }

  @GetMapping("/runs/{runId}/samples/{sampleId}")
  public Mono<ResponseEntity<Object>> sample(
      @PathVariable String runId, @PathVariable String sampleId) {
    return blocking(
        () ->
            services
                .runs()
                .sample(runId, sampleId)
                .<ResponseEntity<Object>>map(ResponseEntity::ok)
                .orElseGet(
                    () ->
                        error(
                            HttpStatus.NOT_FOUND,
                            "no sample " + sampleId + " in the results of run " + runId)));
  }

  /**
   * Resumes an interrupted run of the runs dir in this process, as {@code moa eval --resume} does
   * (decision 038): only samples without a result line are submitted. 404 without a run directory,
   * 409 when it is complete, running, cancelled or only the CLI can resume it, 422 when its
   * directory or dataset is unusable.
   */
  @PostMapping("/runs/{runId}/resume")
  public Mono<ResponseEntity<Object>> resume(@PathVariable String runId) {
    return blocking(
        () -> {
          try {
            RunResumer.Progress p = services.resumer().resume(runId);
            ObjectNode out = JSON.createObjectNode();
            out.put("run_id", runId);
            out.put("status", "running");
            out.set("resume", progressJson(p));
            return ResponseEntity.accepted().body(out);
          } catch (EvalResume.RefusedException e) {
            HttpStatus status =
                switch (e.reason()) {
                  case MISSING -> HttpStatus.NOT_FOUND;
                  case INVALID -> HttpStatus.UNPROCESSABLE_CONTENT;
                  case COMPLETE, RUNNING, CANCELLED, CLI_ONLY -> HttpStatus.CONFLICT;
                };
            return error(status, e.getMessage());
          }
        });
  }

  /** Publishes CANCELLED on moa.runs, with {@code moa cancel}'s operation (decision 014). */
  @PostMapping("/runs/{runId}/cancel")
  public Mono<ResponseEntity<Object>> cancel(@PathVariable String runId) {
    return blocking(
        () -> {
          RunCancellation.Result result = cancellation.cancel(runId, "cancelled from the console");
          if (result instanceof RunCancellation.NotFound) {
            return error(HttpStatus.NOT_FOUND, "no run " + runId + " on moa.runs");
          }
          if (result instanceof RunCancellation.AlreadyEnded ended) {
            return error(HttpStatus.CONFLICT, ended.message());
          }
          ObjectNode out = JSON.createObjectNode();
          out.put("run_id", runId);
          out.put("status", "cancelled");
          return ResponseEntity.ok(out);
        });
  }

  /** The run's latest state in the barrier's view of moa.runs; null when it has none. */
  private RunState runState(String runId) {
    RunState state = null;
    for (RunState s : services.runs().states()) {
      if (s.getRunId().equals(runId)) {
        state = s;
      }
    }
    return state;
  }

  private void publish(RunState state) {
    try {
      producer()
          .send(new ProducerRecord<>(Topics.RUNS.name(), state.getRunId(), state))
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted publishing run " + state.getRunId(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot publish run " + state.getRunId() + " to " + Topics.RUNS.name() + ": " + e, e);
    }
  }

  private synchronized KafkaProducer<String, RunState> producer() {
    if (runsProducer == null) {
      runsProducer =
          new KafkaProducer<>(
              settings.producer("moa-console"),
              new StringSerializer(),
              Serdes.RUN_STATE.serializer());
    }
    return runsProducer;
  }

  @Override
  public synchronized void destroy() {
    if (runsProducer != null) {
      runsProducer.close();
    }
    services.close();
  }
}
