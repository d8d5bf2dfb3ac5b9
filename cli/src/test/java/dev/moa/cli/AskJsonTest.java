package dev.moa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.AvroTrust;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AskJsonTest {

  static {
    AvroTrust.install();
  }

  private static AgentOutput pass(String agent, int layer, int round, String verdict) {
    return AgentOutput.newBuilder()
        .setAgent(agent)
        .setModel("m")
        .setLayer(layer)
        .setAgentIndex(0)
        .setStatus(CallStatus.SUCCEEDED)
        .setContent("text")
        .setRound(round)
        .setVerdict(verdict)
        .build();
  }

  @Test
  void everyPassOfACriticLoopShowsItsLayerRoundAndVerdict() {
    FinalAnswer answer =
        FinalAnswer.newBuilder()
            .setRequestId("r")
            .setStatus(AnswerStatus.SUCCEEDED)
            .setAnswer("plan")
            .setLayers(
                List.of(
                    List.of(pass("p", 1, 0, null)),
                    List.of(pass("critic", 2, 0, "REJECT")),
                    List.of(pass("p", 1, 1, null)),
                    List.of(pass("critic", 2, 1, "ACCEPT"))))
            .setUsage(new Usage(0, 0))
            .setCompletedAtMs(1)
            .build();

    @SuppressWarnings("unchecked")
    List<List<Map<String, Object>>> layers =
        (List<List<Map<String, Object>>>) AskCommand.toJson(answer, 5).get("layers");

    assertThat(layers)
        .extracting(
            l ->
                l.get(0).get("layer") + "/" + l.get(0).get("round") + "/" + l.get(0).get("verdict"))
        .containsExactly("1/0/null", "2/0/REJECT", "1/1/null", "2/1/ACCEPT");
  }
}
