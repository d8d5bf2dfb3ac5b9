package dev.moa.cli;

import static dev.moa.cli.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.localkafka.LocalBroker;
import dev.moa.protocol.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The moa command's user-facing behaviour: help, exit codes, one-line errors. No broker needed. */
class MoaCommandTest {

  @TempDir Path dir;

  private static void assertOneLineErrorWithoutStackTrace(CommandRun r) {
    assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception:");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void helpListsEveryCommand() {
    CommandRun r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("ask", "up", "status", "down", "run", "broker", "simulator", "config", "bench");
  }

  @Test
  void everySubcommandHasHelp() {
    for (String[] cmd :
        new String[][] {
          {"ask", "--help"},
          {"eval", "--help"},
          {"grade", "--help"},
          {"cancel", "--help"},
          {"up", "--help"},
          {"status", "--help"},
          {"down", "--help"},
          {"run", "--help"},
          {"broker", "--help"},
          {"simulator", "--help"},
          {"config", "validate", "--help"},
          {"config", "import-seed", "--help"},
          {"bench", "critical-path", "--help"}
        }) {
      CommandRun r = run(cmd);
      assertThat(r.code()).as(String.join(" ", cmd)).isZero();
      assertThat(r.out()).as(String.join(" ", cmd)).contains("Usage:");
    }
  }

  @Test
  void validateAcceptsTheShippedConfig() {
    CommandRun r = run("config", "validate", Path.of("../configs/workshop.yaml").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("ok", "3 layers", "llama-3.3-70b");
  }

  @Test
  void validateReportsEveryErrorWithItsFieldPathAndBadValue() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        name: bad
        layers: 2
        agents:
          - {name: a, model: m, provider: simulator, temperature: 3.5, prompt: "{helper_response} {helper_response}"}
          - {name: a, model: m, provider: nowhere}
        aggregator: {model: m, provider: simulator, max_tokens: 0}
        """);
    CommandRun r = run("config", "validate", bad.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("agents[0].temperature: 3.5 is outside 0..2")
        .contains("agents[0].prompt")
        .contains("agents[1].name")
        .contains("agents[1].provider")
        .contains("aggregator.max_tokens");
    assertThat(r.err()).doesNotContain("\tat ");
  }

  @Test
  void validateOfAMissingFileNamesIt() {
    CommandRun r = run("config", "validate", dir.resolve("nope.yaml").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("nope.yaml");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void importSeedWritesAConfigThatValidates() throws Exception {
    Path out = dir.resolve("seed.yaml");
    CommandRun r =
        run("config", "import-seed", "../configs/seed-example.json", "--out", out.toString());
    assertThat(r.code()).isZero();
    assertThat(ConfigLoader.load(out).layers()).hasSize(2);
  }

  @Test
  void askWithABrokenConfigFailsInOneLineWithExitCode2() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "name: x\nlayers: 0\nagents: []\naggregator: {model: m}\n");
    CommandRun r = run("ask", "--config", bad.toString(), "hello");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("moa: error: ").contains("layers");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void askWithAnUnknownProviderNamesIt() throws Exception {
    Path bad = dir.resolve("unknown.yaml");
    Files.writeString(
        bad,
        "name: x\nlayers: 1\nagents: [{name: a, model: m, provider: mystery}]\n"
            + "aggregator: {model: m, provider: simulator}\n");
    CommandRun r = run("ask", "--config", bad.toString(), "hello");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("mystery");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void askWithAMissingKeyVariableNamesTheVariableBeforeStartingAnything() throws Exception {
    Path cfg = dir.resolve("real.yaml");
    Files.writeString(
        cfg,
        "name: x\nproviders:\n  lab: {base_url: \"https://lab.example/v1\", api_key_env:"
            + " MOA_TEST_UNSET_KEY_4711}\nlayers: 1\nagents: [{name: a, model: m, provider:"
            + " lab}]\naggregator: {model: m, provider: lab}\n");
    CommandRun r = run("ask", "--config", cfg.toString(), "hello");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("MOA_TEST_UNSET_KEY_4711", "is not set");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void askWithAnUnreachableKafkaFailsInOneLineWithExitCode3() {
    int port = LocalBroker.freePort();
    CommandRun r = run("ask", "--bootstrap", "127.0.0.1:" + port, "hello");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains("cannot reach Kafka at 127.0.0.1:" + port);
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void askWithAMalformedBootstrapIsAUsageError() {
    CommandRun r = run("ask", "--bootstrap", "not a host", "hello");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--bootstrap");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void runRejectsAnUnknownService() {
    CommandRun r = run("run", "planner", "--bootstrap", "127.0.0.1:9");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("planner", "orchestrator", "agent-worker");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void runOrchestratorBoundBeyondLoopbackWithoutATokenRefusesInOneLineBeforeStartingAnything() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getenv("MOA_API_TOKEN") == null, "MOA_API_TOKEN is set in this environment");
    // Port 9 (discard): nothing listens; the refusal comes before any Kafka connection.
    CommandRun r = run("run", "orchestrator", "--address", "0.0.0.0", "--bootstrap", "127.0.0.1:9");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("moa: error: --address: server.address is '0.0.0.0', not loopback")
        .contains("MOA_API_TOKEN is not set");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void simulatorRejectsBadFaultsNamingTheItem() {
    CommandRun r = run("simulator", "--faults", "timeout=0.2");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("timeout");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void aRunIdThatWouldNameAnotherDirectoryIsAUsageError() {
    CommandRun r = run("cancel", "..");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--run-id: '..' must be 1 to 64 letters");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void evalOfAMissingDatasetIsAUsageErrorNamingTheFile() {
    CommandRun r =
        run("eval", "--dataset", dir.resolve("nope.jsonl").toString(), "--out", dir.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--dataset: no such file:").contains("nope.jsonl");
    assertOneLineErrorWithoutStackTrace(r);
  }

  @Test
  void evalListsEveryBadLineWithItsNumberAndStartsNothing() throws Exception {
    Path dataset = dir.resolve("d.jsonl");
    Files.writeString(
        dataset,
        """
        {"id": "ok", "input": "hi", "target": "x", "grader": {"type": "exact"}}
        {"id": "g", "input": "hi", "grader": {"type": "nonsense"}}

        {"input": "no id"}
        """);
    CommandRun r =
        run("eval", "--dataset", dataset.toString(), "--out", dir.resolve("out").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("d.jsonl:2 (g):")
        .contains("nonsense")
        .contains("d.jsonl:4:")
        .contains("2 bad line(s)")
        .contains("--skip-bad-lines");
    assertThat(r.err()).doesNotContain("starting a local Kafka broker");
    assertThat(dir.resolve("out").resolve("run.json")).doesNotExist();
  }

  @Test
  void evalRejectsBadOptionsBeforeStartingAnything() throws Exception {
    Path dataset = dir.resolve("d.jsonl");
    Files.writeString(dataset, "{\"id\": \"a\", \"input\": \"hi\"}\n");
    CommandRun progress =
        run(
            "eval",
            "--dataset",
            dataset.toString(),
            "--progress",
            "fancy",
            "--out",
            dir.toString());
    assertThat(progress.code()).isEqualTo(2);
    assertThat(progress.err()).contains("--progress").contains("fancy");
    CommandRun runId = run("eval", "--dataset", dataset.toString(), "--run-id", "a/b");
    assertThat(runId.code()).isEqualTo(2);
    assertThat(runId.err()).contains("--run-id").contains("a/b");
    CommandRun resume = run("eval", "--resume", dir.toString());
    assertThat(resume.code()).isEqualTo(2);
    assertThat(resume.err()).contains("not a run directory");
    CommandRun grade = run("grade", "--dataset", dataset.toString());
    assertThat(grade.code()).isEqualTo(2);
    assertThat(grade.err()).contains("--answers FILE is required");
  }

  @Test
  void anOversizedQuestionIsAOneLineErrorWithExitCode2BeforeAnythingStarts() {
    CommandRun r = run("ask", "--max-prompt-bytes", "100", "x".repeat(101));
    assertThat(r.code()).isEqualTo(2);
    assertOneLineErrorWithoutStackTrace(r);
    assertThat(r.err())
        .contains("moa: error: QUESTION: prompt: 101 bytes exceed the limit of 100 bytes")
        .contains("--max-prompt-bytes");
    assertThat(r.err()).doesNotContain("starting");
  }

  @Test
  void anOversizedDatasetSampleStopsTheEvalNamingFileLineAndSize() throws Exception {
    Path dataset = dir.resolve("big.jsonl");
    Files.writeString(
        dataset,
        "{\"id\": \"ok\", \"input\": \"short\", \"target\": \"a\", \"grader\": {\"type\": \"exact\"}}\n"
            + "{\"id\": \"huge\", \"input\": \""
            + "y".repeat(300)
            + "\", \"target\": \"a\", \"grader\": {\"type\": \"exact\"}}\n");
    CommandRun r =
        run(
            "eval",
            "--dataset",
            dataset.toString(),
            "--max-prompt-bytes",
            "200",
            "--out",
            dir.resolve("run").toString(),
            "--progress",
            "none");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertOneLineErrorWithoutStackTrace(r);
    assertThat(r.err())
        .contains(dataset + ":2: sample 'huge': prompt: 300 bytes exceed the limit of 200 bytes");
  }
}
