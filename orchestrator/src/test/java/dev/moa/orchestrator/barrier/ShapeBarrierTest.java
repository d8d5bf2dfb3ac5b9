package dev.moa.orchestrator.barrier;

import static dev.moa.orchestrator.barrier.Fixtures.agent;
import static dev.moa.orchestrator.barrier.Fixtures.config;
import static dev.moa.orchestrator.barrier.Fixtures.ok;
import static dev.moa.orchestrator.barrier.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AggregationMode;
import dev.moa.protocol.avro.LayerKind;
import dev.moa.protocol.avro.LayerSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Critic loops, self-MoA seeds and the final step's candidates in the barrier. */
class ShapeBarrierTest {

  private final Barrier barrier = new Barrier(Duration.ofHours(1));

  /**
   * Two proposers, then a critic that may send the request back to layer 1 {@code retries} times.
   */
  private static MoaConfigSnapshot criticConfig(int retries) {
    MoaConfigSnapshot base = config(1, 2, 1, 0);
    List<LayerSpec> layers = new ArrayList<>(base.getLayers());
    layers.add(
        LayerSpec.newBuilder()
            .setAgents(List.of(agent("critic", "Judge. {helper_response}")))
            .setKind(LayerKind.CRITIC)
            .setRetryLayer(1)
            .setMaxRetries(retries)
            .build());
    return MoaConfigSnapshot.newBuilder(base).setLayers(layers).build();
  }

  /** Answers every task of the step with {@code content} + its task id; returns the last step. */
  private Step answerAll(Step step, String content, long now) {
    Step current = step;
    for (AgentTask task : step.tasks()) {
      current = barrier.onResult(current.state(), ok(task, content + " " + task.getTaskId()), now);
    }
    return current;
  }

  @Test
  void aRejectionSendsTheRequestBackWithTheCritiqueAndNewTaskIds() {
    Step start = barrier.onRequest(null, request("r1", criticConfig(2)), 100);
    Step critic = answerAll(start, "plan", 110);
    assertThat(critic.tasks()).extracting(AgentTask::getTaskId).containsExactly("r1:L2:A0");

    Step back =
        barrier.onResult(
            critic.state(), ok(critic.tasks().get(0), "Too vague.\nVerdict: REJECT"), 120);

    assertThat(back.state().getRound()).isEqualTo(1);
    assertThat(back.tasks())
        .extracting(AgentTask::getTaskId)
        .containsExactly("r1:R1:L1:A0", "r1:R1:L1:A1");
    assertThat(back.tasks().get(0).getMessages().get(0).getContent())
        .contains(Barrier.CRITIQUE_HEADING)
        .contains("Too vague.");
    List<List<AgentOutput>> passes = back.state().getCompletedLayers();
    assertThat(passes).hasSize(2);
    assertThat(passes.get(1).get(0).getVerdict()).isEqualTo("REJECT");
  }

  @Test
  void aResultOfTheRejectedPassIsStaleInTheNextRound() {
    Step start = barrier.onRequest(null, request("r1", criticConfig(2)), 100);
    Step critic = answerAll(start, "plan", 110);
    Step back = barrier.onResult(critic.state(), ok(critic.tasks().get(0), "Verdict: REJECT"), 120);

    Step late = barrier.onResult(back.state(), ok(start.tasks().get(0), "plan again"), 130);

    assertThat(late.ignored()).isTrue();
  }

  @Test
  void anAcceptanceHandsTheKeptCandidatesToTheAggregator() {
    Step start = barrier.onRequest(null, request("r1", criticConfig(2)), 100);
    Step critic = answerAll(start, "plan", 110);

    Step done =
        barrier.onResult(
            critic.state(), ok(critic.tasks().get(0), "Keep: 2\nVerdict: ACCEPT"), 120);

    AggregateTask aggregate = done.aggregate();
    assertThat(aggregate).isNotNull();
    assertThat(aggregate.getCandidates()).containsExactly("plan r1:L1:A1");
    String system = aggregate.getCall().getMessages().get(0).getContent();
    assertThat(system).contains("1. plan r1:L1:A1").doesNotContain("plan r1:L1:A0");
    assertThat(aggregate.getLayers()).hasSize(2);
    assertThat(aggregate.getLayers().get(1).get(0).getVerdict()).isEqualTo("ACCEPT");
  }

  @Test
  void afterMaxRetriesRejectionsTheLastProposalsGoOnWithEveryPassNumbered() {
    Step step = barrier.onRequest(null, request("r1", criticConfig(2)), 100);
    long now = 110;
    for (int round = 0; round < 3; round++) {
      Step critic = answerAll(step, "plan" + round, now++);
      step = barrier.onResult(critic.state(), ok(critic.tasks().get(0), "Verdict: REJECT"), now++);
    }

    AggregateTask aggregate = step.aggregate();
    assertThat(aggregate).as("the third rejection is one more than max_retries").isNotNull();
    assertThat(aggregate.getLayers())
        .extracting(pass -> pass.get(0).getLayer() + "/" + pass.get(0).getRound())
        .containsExactly("1/0", "2/0", "1/1", "2/1", "1/2", "2/2");
    assertThat(aggregate.getCandidates()).containsExactly("plan2 r1:R2:L1:A0", "plan2 r1:R2:L1:A1");
  }

  @Test
  void aCriticWithoutAVerdictAccepts() {
    Step start = barrier.onRequest(null, request("r1", criticConfig(2)), 100);
    Step critic = answerAll(start, "plan", 110);

    Step done =
        barrier.onResult(critic.state(), ok(critic.tasks().get(0), "Looks fine to me."), 120);

    assertThat(done.aggregate()).isNotNull();
    assertThat(done.aggregate().getLayers().get(1).get(0).getVerdict()).isEqualTo("NONE");
  }

  @Test
  void selfMoaSamplesGetDistinctSeedsDerivedFromTheRequestSeed() {
    MoaConfigSnapshot base = config(1, 3, 1, 0);
    LayerSpec layer =
        LayerSpec.newBuilder(base.getLayers().get(0)).setKind(LayerKind.SELF_MOA).build();
    MoaConfigSnapshot selfMoa =
        MoaConfigSnapshot.newBuilder(base).setLayers(List.of(layer)).build();
    MoaRequest seeded = MoaRequest.newBuilder(request("r1", selfMoa)).setSeed(40L).build();

    Step start = barrier.onRequest(null, seeded, 100);

    assertThat(start.tasks()).extracting(AgentTask::getSeed).containsExactly(41L, 42L, 43L);
    Step plain =
        barrier.onRequest(null, MoaRequest.newBuilder(seeded).setConfig(base).build(), 100);
    assertThat(plain.tasks()).extracting(AgentTask::getSeed).containsOnly(40L);
  }

  @Test
  void voteAndBestOfNTravelToTheAggregatorWithTheCandidates() {
    MoaConfigSnapshot vote =
        MoaConfigSnapshot.newBuilder(config(1, 2, 1, 0))
            .setAggregation(AggregationMode.VOTE)
            .setVotePattern("A: (\\d+)")
            .build();
    Step done = answerAll(barrier.onRequest(null, request("r1", vote), 100), "A: 4", 110);

    assertThat(done.aggregate().getAggregation()).isEqualTo(AggregationMode.VOTE);
    assertThat(done.aggregate().getVotePattern()).isEqualTo("A: (\\d+)");
    assertThat(done.aggregate().getCandidates()).containsExactly("A: 4 r1:L1:A0", "A: 4 r1:L1:A1");

    MoaConfigSnapshot best =
        MoaConfigSnapshot.newBuilder(config(1, 2, 1, 0))
            .setAggregation(AggregationMode.BEST_OF_N)
            .build();
    Step judged = answerAll(barrier.onRequest(null, request("r2", best), 100), "x", 110);
    assertThat(judged.aggregate().getCall().getMessages().get(0).getContent())
        .contains(Barrier.CANDIDATES_HEADING + "\n1. x r2:L1:A0\n2. x r2:L1:A1");
  }
}
