package dev.moa.protocol.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RecordChecksTest {

  @Test
  void everyFixtureOfThePipelinePassesTheChecks() {
    for (var record :
        List.of(
            Fixtures.request(),
            Fixtures.agentTask(),
            Fixtures.agentResult(),
            Fixtures.aggregateTask(),
            Fixtures.finalAnswer(),
            Fixtures.runState(),
            Fixtures.grade())) {
      assertThatCode(() -> RecordChecks.check(record))
          .as(record.getClass().getSimpleName())
          .doesNotThrowAnyException();
    }
  }

  @Test
  void checkedSerdeRefusesAnImpossibleValueNamingFieldAndValueWhileThePlainOneDecodesIt() {
    AgentTask task = AgentTask.newBuilder(Fixtures.agentTask()).setLayer(-2).build();
    byte[] bytes = Serdes.AGENT_TASK.toBytes(task);

    InvalidRecordException e =
        catchThrowableOfType(
            InvalidRecordException.class,
            () -> RecordChecks.checked(Serdes.AGENT_TASK).fromBytes(bytes));

    assertThat(e).isInstanceOf(SerializationException.class);
    assertThat(e.getMessage()).isEqualTo("AgentTask.layer: -2 must be >= 0");
    assertThat(e.field()).isEqualTo("AgentTask.layer");
    assertThat(e.value()).isEqualTo("-2");
    assertThat(Serdes.AGENT_TASK.fromBytes(bytes).getLayer()).isEqualTo(-2);
  }

  @Test
  void aRequestWhoseMinSuccessesExceedsItsSmallestLayerCouldNeverSucceed() {
    MoaRequest request = Fixtures.request();
    MoaConfigSnapshot config =
        MoaConfigSnapshot.newBuilder(request.getConfig()).setMinSuccesses(99).build();
    MoaRequest bad = MoaRequest.newBuilder(request).setConfig(config).build();

    InvalidRecordException e =
        catchThrowableOfType(InvalidRecordException.class, () -> RecordChecks.check(bad));

    assertThat(e.field()).isEqualTo("MoaRequest.config.min_successes");
    assertThat(e.getMessage()).contains("99 is outside 0..");
  }

  @Test
  void longValuesAreCutInTheMessage() {
    AgentTask task = AgentTask.newBuilder(Fixtures.agentTask()).setTaskId("x".repeat(600)).build();

    InvalidRecordException e =
        catchThrowableOfType(InvalidRecordException.class, () -> RecordChecks.check(task));

    assertThat(e.getMessage())
        .isEqualTo("AgentTask.task_id: '" + "x".repeat(80) + "...' is longer than 512 characters");
  }

  private static MoaRequest withLayers(java.util.List<dev.moa.protocol.avro.LayerSpec> layers) {
    MoaRequest request = Fixtures.request();
    return MoaRequest.newBuilder(request)
        .setConfig(MoaConfigSnapshot.newBuilder(request.getConfig()).setLayers(layers).build())
        .build();
  }

  private static dev.moa.protocol.avro.LayerSpec critic(int retryLayer) {
    return dev.moa.protocol.avro.LayerSpec.newBuilder()
        .setAgents(java.util.List.of(Fixtures.agentSpec("critic")))
        .setKind(dev.moa.protocol.avro.LayerKind.CRITIC)
        .setRetryLayer(retryLayer)
        .setMaxRetries(2)
        .build();
  }

  @Test
  void aCriticLayerTheBarrierCouldNotRunIsRefused() {
    var proposers = Fixtures.request().getConfig().getLayers().get(0);

    InvalidRecordException first =
        catchThrowableOfType(
            InvalidRecordException.class,
            () -> RecordChecks.check(withLayers(java.util.List.of(critic(0), proposers))));
    assertThat(first.getMessage())
        .isEqualTo("MoaRequest.config.layers[0].kind: 'CRITIC' cannot be the first layer");

    InvalidRecordException target =
        catchThrowableOfType(
            InvalidRecordException.class,
            () -> RecordChecks.check(withLayers(java.util.List.of(proposers, critic(2)))));
    assertThat(target.field()).isEqualTo("MoaRequest.config.layers[1].retry_layer");
  }

  @Test
  void minSuccessesCountsProposerLayersNotCritics() {
    MoaRequest request =
        withLayers(java.util.List.of(Fixtures.request().getConfig().getLayers().get(0), critic(1)));
    int proposers = request.getConfig().getLayers().get(0).getAgents().size();
    MoaRequest strict =
        MoaRequest.newBuilder(request)
            .setConfig(
                MoaConfigSnapshot.newBuilder(request.getConfig())
                    .setMinSuccesses(proposers)
                    .build())
            .build();

    org.assertj.core.api.Assertions.assertThatCode(() -> RecordChecks.check(strict))
        .doesNotThrowAnyException();
  }

  @Test
  void aVotePatternThatDoesNotCompileIsRefusedBeforeTheAggregatorMeetsIt() {
    var task =
        dev.moa.protocol.avro.AggregateTask.newBuilder(Fixtures.aggregateTask())
            .setVotePattern("(")
            .build();

    InvalidRecordException e =
        catchThrowableOfType(InvalidRecordException.class, () -> RecordChecks.check(task));

    assertThat(e.field()).isEqualTo("AggregateTask.vote_pattern");
  }
}
