package dev.moa.orchestrator.barrier;

import static dev.moa.orchestrator.barrier.Fixtures.config;
import static dev.moa.orchestrator.barrier.Fixtures.failed;
import static dev.moa.orchestrator.barrier.Fixtures.ok;
import static dev.moa.orchestrator.barrier.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.RequestPhase;
import dev.moa.protocol.avro.RequestState;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.prompt.PromptAssembler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarrierTest {

  private final Barrier barrier = new Barrier(Duration.ofHours(1));

  @Test
  void requestStartsLayerOneWithOneTaskPerAgentAndAnEmptyHelperResponse() {
    Step step = barrier.onRequest(null, request("r1", config(2, 3, 1, 0)), 100);

    assertThat(step.tasks()).hasSize(3);
    AgentTask first = step.tasks().get(0);
    assertThat(first.getTaskId()).isEqualTo("r1:L1:A0");
    assertThat(first.getLayer()).isEqualTo(1);
    assertThat(first.getMessages())
        .containsExactly(
            new ChatMessage("system", "Agent 1 says {x}. "),
            new ChatMessage("user", "What is {2+2}?"));
    assertThat(step.state().getPhase()).isEqualTo(RequestPhase.LAYERS);
    assertThat(step.state().getExpectedTaskIds())
        .containsExactly("r1:L1:A0", "r1:L1:A1", "r1:L1:A2");
  }

  @Test
  void completedLayerReportsItsDurationAndTheBarrierWaitFromTheFirstResult() {
    Step start = barrier.onRequest(null, request("r1", config(2, 2, 1, 0)), 100);
    Step one = barrier.onResult(start.state(), ok(start.tasks().get(0), "A"), 130);
    assertThat(one.layerDone()).isNull();

    Step two = barrier.onResult(one.state(), ok(start.tasks().get(1), "B"), 180);

    assertThat(two.layerDone()).isEqualTo(new Step.LayerDone(1, 80, 50));
    Step next = barrier.onResult(two.state(), ok(two.tasks().get(0), "C"), 200);
    Step last = barrier.onResult(next.state(), ok(two.tasks().get(1), "D"), 260);
    assertThat(last.layerDone())
        .as("layer 2 measures from its own start and its own first result")
        .isEqualTo(new Step.LayerDone(2, 80, 60));
  }

  @Test
  void layerWithoutAnyResultReportsNoBarrierWait() {
    Step start = barrier.onRequest(null, request("r1", config(1, 2, 1, 1000)), 100);
    Step timedOut = barrier.onTick(start.state(), 1100);
    assertThat(timedOut.layerDone()).isEqualTo(new Step.LayerDone(1, 1000, -1));
  }

  @Test
  void duplicateRequestChangesNothing() {
    Step first = barrier.onRequest(null, request("r1", config(1, 2, 1, 0)), 100);
    Step again = barrier.onRequest(first.state(), request("r1", config(1, 2, 1, 0)), 200);
    assertThat(again.ignored()).isTrue();
  }

  @Test
  void layerCompletesOnlyWhenEveryTaskHasAResult() {
    Step start = barrier.onRequest(null, request("r1", config(2, 3, 1, 0)), 100);
    Step one = barrier.onResult(start.state(), ok(start.tasks().get(0), "A"), 110);
    Step two = barrier.onResult(one.state(), ok(start.tasks().get(2), "C"), 120);
    assertThat(one.tasks()).isEmpty();
    assertThat(two.tasks()).isEmpty();

    Step three = barrier.onResult(two.state(), ok(start.tasks().get(1), "B"), 130);
    assertThat(three.tasks()).hasSize(3).allMatch(t -> t.getLayer() == 2);
  }

  @Test
  void duplicateResultDoesNotCompleteLayerTwice() {
    Step start = barrier.onRequest(null, request("r1", config(2, 2, 1, 0)), 100);
    Step one = barrier.onResult(start.state(), ok(start.tasks().get(0), "A"), 110);
    Step dup = barrier.onResult(one.state(), ok(start.tasks().get(0), "A again"), 111);
    assertThat(dup.ignored()).isTrue();

    Step done = barrier.onResult(one.state(), ok(start.tasks().get(1), "B"), 120);
    assertThat(done.tasks()).hasSize(2);
    Step dupAfter = barrier.onResult(done.state(), ok(start.tasks().get(1), "B"), 130);
    assertThat(dupAfter.ignored()).isTrue();
  }

  @Test
  void laterLayerGetsNumberedReferencesInItsSystemMessageWordForWord() {
    Step start = barrier.onRequest(null, request("r1", config(2, 2, 1, 0)), 100);
    Step one = barrier.onResult(start.state(), ok(start.tasks().get(1), "Second {b} $1"), 110);
    Step two = barrier.onResult(one.state(), ok(start.tasks().get(0), "First answer"), 120);

    String expectedSystem =
        "Agent 1 says {x}. "
            + PromptAssembler.DEFAULT_REFERENCE_PROMPT
            + "\n1. First answer\n2. Second {b} $1";
    assertThat(two.tasks().get(0).getMessages())
        .containsExactly(
            new ChatMessage("system", expectedSystem), new ChatMessage("user", "What is {2+2}?"));
  }

  @Test
  void failedAgentIsLeftOutOfReferencesWhichSayHowManyWereDropped() {
    Step start = barrier.onRequest(null, request("r1", config(2, 3, 1, 0)), 100);
    RequestState s = start.state();
    s = barrier.onResult(s, ok(start.tasks().get(0), "one"), 110).state();
    s = barrier.onResult(s, failed(start.tasks().get(1), "http_5xx", "boom"), 111).state();
    Step next = barrier.onResult(s, ok(start.tasks().get(2), "three"), 112);

    String system = next.tasks().get(0).getMessages().get(0).getContent();
    assertThat(system)
        .isEqualTo(
            "Agent 1 says {x}. "
                + PromptAssembler.helperResponse(
                    PromptAssembler.DEFAULT_REFERENCE_PROMPT, List.of("one", "three"), 1));
    assertThat(system).contains("\n1. one\n2. three").doesNotContain("3. ");
  }

  @Test
  void layerBelowMinSuccessesFailsTheRequestNamingAgentsAndErrors() {
    Step start = barrier.onRequest(null, request("r1", config(2, 2, 2, 0)), 100);
    RequestState s = barrier.onResult(start.state(), ok(start.tasks().get(0), "one"), 110).state();
    Step end = barrier.onResult(s, failed(start.tasks().get(1), "http_429", "slow down"), 120);

    assertThat(end.tasks()).isEmpty();
    assertThat(end.aggregate()).isNull();
    assertThat(end.answer().getStatus()).isEqualTo(AnswerStatus.FAILED);
    assertThat(end.answer().getError())
        .isEqualTo("layer 1: 1 of 2 agents succeeded (min_successes 2): a2: http_429: slow down");
    assertThat(end.answer().getLatencyMs()).isEqualTo(120 - 1_000);
    assertThat(end.state().getPhase()).isEqualTo(RequestPhase.DONE);
    assertThat(end.state().getRequest()).isNull();
  }

  @Test
  void lastLayerEmitsOneAggregateTaskWithTheAggregatorPromptAndAllLayers() {
    Step s = barrier.onRequest(null, request("r1", config(1, 2, 1, 0)), 100);
    RequestState st = barrier.onResult(s.state(), ok(s.tasks().get(0), "x"), 110).state();
    Step end = barrier.onResult(st, ok(s.tasks().get(1), "y"), 120);

    assertThat(end.aggregate()).isNotNull();
    AgentTask call = end.aggregate().getCall();
    assertThat(call.getRole()).isEqualTo(TaskRole.AGGREGATOR);
    assertThat(call.getTaskId()).isEqualTo("r1:AGG");
    assertThat(call.getMessages().get(0).getContent())
        .isEqualTo(
            "You are helpful.\n\n" + PromptAssembler.DEFAULT_REFERENCE_PROMPT + "\n1. x\n2. y");
    assertThat(end.aggregate().getLayers()).hasSize(1);
    assertThat(end.aggregate().getLayers().get(0))
        .extracting(o -> o.getContent())
        .containsExactly("x", "y");
    assertThat(end.state().getPhase()).isEqualTo(RequestPhase.DONE);

    Step late = barrier.onResult(end.state(), ok(s.tasks().get(1), "y"), 130);
    assertThat(late.ignored()).isTrue();
  }

  @Test
  void resultOfAnEarlierLayerIsIgnored() {
    Step s = barrier.onRequest(null, request("r1", config(2, 1, 1, 0)), 100);
    Step layer2 = barrier.onResult(s.state(), ok(s.tasks().get(0), "x"), 110);
    Step stale = barrier.onResult(layer2.state(), ok(s.tasks().get(0), "x"), 120);
    assertThat(stale.ignored()).isTrue();
  }

  @Test
  void deadlineCompletesTheLayerWithWhatHasArrived() {
    Step s = barrier.onRequest(null, request("r1", config(2, 2, 1, 1_000)), 100);
    RequestState st = barrier.onResult(s.state(), ok(s.tasks().get(0), "x"), 200).state();

    assertThat(barrier.onTick(st, 1_099).ignored()).isTrue();
    Step late = barrier.onTick(st, 1_100);
    assertThat(late.tasks()).hasSize(2).allMatch(t -> t.getLayer() == 2);
    String system = late.tasks().get(0).getMessages().get(0).getContent();
    assertThat(system).contains("\n1. x").contains("(1 of 2 ");
  }

  @Test
  void deadlineWithNoSuccessFailsTheRequestWithATimeoutReason() {
    Step s = barrier.onRequest(null, request("r1", config(1, 2, 1, 500)), 100);
    Step end = barrier.onTick(s.state(), 600);
    assertThat(end.answer().getStatus()).isEqualTo(AnswerStatus.FAILED);
    assertThat(end.answer().getError()).contains("a1: timeout", "a2: timeout");
    assertThat(end.answer().getLayers().get(0)).allMatch(o -> o.getStatus() == CallStatus.FAILED);
  }

  @Test
  void finishedMarkerExpiresAfterRetention() {
    Step s = barrier.onRequest(null, request("r1", config(1, 1, 1, 0)), 100);
    Step end = barrier.onResult(s.state(), ok(s.tasks().get(0), "x"), 200);
    assertThat(barrier.onTick(end.state(), 200 + 3_599_999).ignored()).isTrue();
    assertThat(barrier.onTick(end.state(), 200 + 3_600_000).change()).isEqualTo(Step.Change.DELETE);
  }

  @Test
  void aRequestOfACancelledRunStartsNoTaskAndIsAnsweredCancelled() {
    Step step = barrier.onRequest(null, request("r9", config(2, 3, 1, 0)), "cancelled: run x", 100);

    assertThat(step.tasks()).isEmpty();
    assertThat(step.aggregate()).isNull();
    assertThat(step.answer().getStatus()).isEqualTo(AnswerStatus.CANCELLED);
    assertThat(step.answer().getError()).isEqualTo("cancelled: run x");
    assertThat(step.state().getPhase()).isEqualTo(RequestPhase.DONE);
    assertThat(barrier.onRequest(step.state(), request("r9", config(2, 3, 1, 0)), 200).ignored())
        .isTrue();
  }

  @Test
  void cancellingARequestBetweenLayersKeepsItsCompletedLayersAndStartsNothingMore() {
    Step start = barrier.onRequest(null, request("r1", config(2, 2, 1, 0)), 100);
    Step one = barrier.onResult(start.state(), ok(start.tasks().get(0), "A"), 110);
    Step layer2 = barrier.onResult(one.state(), ok(start.tasks().get(1), "B"), 120);
    assertThat(layer2.tasks()).hasSize(2);

    Step cancelled = barrier.onRunCancelled(layer2.state(), "cancelled: run x", 130);

    assertThat(cancelled.tasks()).isEmpty();
    assertThat(cancelled.aggregate()).isNull();
    assertThat(cancelled.answer().getStatus()).isEqualTo(AnswerStatus.CANCELLED);
    assertThat(cancelled.answer().getLayers()).hasSize(1);
    assertThat(cancelled.state().getPhase()).isEqualTo(RequestPhase.DONE);
    Step late = barrier.onResult(cancelled.state(), ok(layer2.tasks().get(0), "late"), 140);
    assertThat(late.ignored()).isTrue();
    assertThat(barrier.onRunCancelled(cancelled.state(), "again", 150).ignored()).isTrue();
  }
}
