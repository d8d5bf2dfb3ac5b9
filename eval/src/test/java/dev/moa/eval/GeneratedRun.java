package dev.moa.eval;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import dev.moa.protocol.config.ModelPrice;
import dev.moa.protocol.prompt.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A realistic run for report tests: two layers of three agents plus an aggregator per sample,
 * outputs of LLM-like length (0.5-2 KB), some failed calls, failed answers, cache hits, and
 * exact/numeric/code grades with details.
 */
final class GeneratedRun {
  static final String[] MODELS = {"llama-3.3-70b", "qwen-3-32b", "gpt-oss-120b"};
  private static final String[] WORDS =
      ("the answer depends on the boundary conditions so we first compute the integral and then"
              + " check each case carefully; note that x < y && y > 0 implies the sum is positive"
              + " which gives 42 as the final value for this question about <tags> & entities")
          .split(" ");

  final List<ResultLine> results = new ArrayList<>();
  final List<BadLine> skipped = new ArrayList<>();
  final RunInfo info;
  final Summary summary;

  /**
   * The generated run plus one more sample whose answer, agent output and grade reason try to
   * inject HTML.
   */
  static GeneratedRun withInjectedSample(int samples, long seed) {
    GeneratedRun run = new GeneratedRun(samples, seed, "completed", false);
    String evil = ReportWriterTest.INJECTION;
    AgentOutput agent = Fixtures.output("agent-x", "model-x", 0, 0, true, 40);
    agent.setContent(evil);
    FinalAnswer answer = Fixtures.answer("req-evil", evil, List.of(List.of(agent)), null, 50);
    Grade grade = Fixtures.grade("exact", GradeStatus.GRADED, 0, 1, evil);
    Sample sample = new Sample("evil-" + evil, samples + 1, List.of(), "42", null, "{}");
    List<ResultLine> results = new ArrayList<>(run.results);
    results.add(ResultLine.of(sample, answer, grade));
    return new GeneratedRun(run, results);
  }

  private GeneratedRun(GeneratedRun base, List<ResultLine> results) {
    this.results.addAll(results);
    this.skipped.addAll(base.skipped);
    RunInfo b = base.info;
    this.info =
        new RunInfo(
            b.runId(),
            b.dataset(),
            b.configName(),
            b.configHash(),
            b.simulated(),
            b.status(),
            b.startedAtMs(),
            b.finishedAtMs(),
            b.totalSamples() + 1,
            b.skippedLines(),
            b.prices());
    this.summary = Summary.of(info, results);
  }

  GeneratedRun(int samples, long seed, String status, boolean simulated) {
    Random rnd = new Random(seed);
    skipped.add(new BadLine(3, "q-bad", "field 'input' must be a string or a list, got: 7"));
    skipped.add(new BadLine(9, null, "invalid JSON: Unexpected end-of-input at column 18"));
    int run = status.equals("cancelled") ? samples * 9 / 10 : samples;
    for (int i = 0; i < run; i++) {
      String id = "q-" + i;
      Sample sample =
          new Sample(id, i + 1, List.of(new Message("user", "Question " + i)), "42", null, "{}");
      results.add(result(sample, rnd, status.equals("cancelled") && i >= run - 5, simulated));
    }
    info =
        new RunInfo(
            "run-" + seed,
            "datasets/generated.jsonl",
            "three-by-two",
            "9f2c1e0d8b7a6f5e4d3c2b1a",
            simulated,
            status,
            1_700_000_000_000L,
            1_700_000_000_000L + 600_000,
            samples,
            skipped,
            Map.of(
                MODELS[0], new ModelPrice(0.85, 1.2),
                MODELS[1], new ModelPrice(0.4, 0.8),
                MODELS[2], new ModelPrice(0.35, 0.75)));
    summary = Summary.of(info, results);
  }

  private ResultLine result(Sample sample, Random rnd, boolean cancel, boolean simulated) {
    if (cancel) {
      return ResultLine.of(sample, Fixtures.cancelled(sample.id()), null);
    }
    List<List<AgentOutput>> layers = new ArrayList<>();
    for (int layer = 0; layer < 2; layer++) {
      List<AgentOutput> outputs = new ArrayList<>();
      for (int a = 0; a < 3; a++) {
        outputs.add(output("proposer-" + a, MODELS[a], layer, a, rnd, simulated));
      }
      layers.add(outputs);
    }
    AgentOutput aggregator = output("aggregator", MODELS[0], 2, 0, rnd, simulated);
    long latency = 0;
    for (List<AgentOutput> l : layers) {
      latency += l.stream().mapToLong(AgentOutput::getLatencyMs).max().orElse(0);
    }
    latency += aggregator.getLatencyMs() + rnd.nextInt(40);
    FinalAnswer answer =
        Fixtures.answer(sample.id(), aggregator.getContent(), layers, aggregator, latency);
    answer.setSimulated(simulated);
    if (aggregator.getStatus() == CallStatus.FAILED) {
      answer = Fixtures.failed(answer, "aggregator " + MODELS[0] + ": " + aggregator.getError());
      return ResultLine.of(sample, answer, gradeNotGraded());
    }
    int kind = rnd.nextInt(10);
    Grade grade;
    if (kind < 5) {
      boolean right = rnd.nextDouble() < 0.7;
      grade = Fixtures.grade("exact", GradeStatus.GRADED, right ? 1 : 0, 1, null);
    } else if (kind < 7) {
      grade =
          Fixtures.grade("numeric", GradeStatus.GRADED, rnd.nextDouble() < 0.6 ? 1 : 0, 1, null);
    } else if (kind < 9) {
      int passed = rnd.nextInt(11);
      grade = Fixtures.grade("code", GradeStatus.GRADED, passed, 10, null);
      grade.setDetailsJson(
          "{\"tests\":10,\"passed\":" + passed + ",\"stderr\":\"Traceback <module> & more\"}");
    } else if (rnd.nextBoolean()) {
      grade =
          Fixtures.grade("code", GradeStatus.ERROR, 0, 10, "sandbox: bwrap exited with status 1");
    } else {
      grade = gradeNotGraded();
    }
    return ResultLine.of(sample, answer, grade);
  }

  private static Grade gradeNotGraded() {
    return Fixtures.grade("none", GradeStatus.NOT_GRADED, 0, 0, "no grader for this sample");
  }

  private static AgentOutput output(
      String agent, String model, int layer, int index, Random rnd, boolean simulated) {
    boolean ok = rnd.nextDouble() > 0.03;
    long latency = 300 + (long) (Math.exp(rnd.nextGaussian() * 0.6) * 900);
    AgentOutput o = Fixtures.output(agent, model, layer, index, ok, latency);
    if (ok) {
      o.setContent(text(rnd, 500 + rnd.nextInt(1500)));
      o.setPromptTokens(200 + rnd.nextInt(1500));
      o.setCompletionTokens(100 + rnd.nextInt(500));
    }
    o.setSimulated(simulated);
    o.setCached(ok && rnd.nextDouble() < 0.1);
    return o;
  }

  static String text(Random rnd, int length) {
    StringBuilder b = new StringBuilder(length + 16);
    while (b.length() < length) {
      b.append(WORDS[rnd.nextInt(WORDS.length)]);
      b.append(rnd.nextInt(12) == 0 ? ".\n" : " ");
    }
    return b.toString();
  }
}
