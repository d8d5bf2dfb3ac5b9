package dev.moa.orchestrator.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatResponsesTest {

  private final ChatResponses shapes = ChatResponses.of("req-1", 1_700_000_123_456L, "moa/w");

  private static AgentOutput output(String agent, int layer, int prompt, int completion) {
    return AgentOutput.newBuilder()
        .setAgent(agent)
        .setModel("m-" + agent)
        .setLayer(layer)
        .setAgentIndex(0)
        .setStatus(CallStatus.SUCCEEDED)
        .setContent("text of " + agent)
        .setPromptTokens(prompt)
        .setCompletionTokens(completion)
        .setLatencyMs(40)
        .setTtftMs(4)
        .build();
  }

  private static FinalAnswer answer() {
    return FinalAnswer.newBuilder()
        .setRequestId("req-1")
        .setConfigName("w")
        .setStatus(AnswerStatus.SUCCEEDED)
        .setAnswer("Rayleigh.")
        .setLayers(List.of(List.of(output("a", 1, 10, 20)), List.of(output("b", 2, 30, 40))))
        .setAggregator(output("aggregator", 3, 50, 60))
        .setUsage(new Usage(90, 120))
        .setLatencyMs(777)
        .setSimulated(true)
        .setCompletedAtMs(1_700_000_124_000L)
        .build();
  }

  @Test
  void aCompletionHasOpenAisFieldsAndSecondsNotMillis() {
    Map<String, Object> c = shapes.completion(answer(), false);

    assertThat(c)
        .containsEntry("id", "chatcmpl-req-1")
        .containsEntry("object", "chat.completion")
        .containsEntry("created", 1_700_000_123L)
        .containsEntry("model", "moa/w")
        .doesNotContainKey("moa");
    assertThat(c.get("usage").toString())
        .isEqualTo("{prompt_tokens=90, completion_tokens=120, total_tokens=210}");
    assertThat(c.get("choices").toString())
        .isEqualTo(
            "[{index=0, message={role=assistant, content=Rayleigh., refusal=null},"
                + " logprobs=null, finish_reason=stop}]");
  }

  @Test
  void theMoaObjectListsEveryLayersOutputsAndTheAggregator() {
    @SuppressWarnings("unchecked")
    Map<String, Object> moa = (Map<String, Object>) shapes.completion(answer(), true).get("moa");

    assertThat(moa)
        .containsEntry("request_id", "req-1")
        .containsEntry("config", "w")
        .containsEntry("simulated", true)
        .containsEntry("latency_ms", 777L);
    assertThat(moa.get("layers").toString())
        .contains("layer=1, outputs=[{name=a, model=m-a, status=succeeded, prompt_tokens=10")
        .contains("layer=2, outputs=[{name=b")
        .contains("text=text of b");
    assertThat(moa.get("aggregator").toString()).contains("name=aggregator").contains("ttft_ms=4");
  }

  @Test
  void streamChunksCarryUsageNullOnlyWhenUsageWasAskedFor() {
    assertThat(shapes.contentChunk("x", false)).doesNotContainKey("usage");
    assertThat(shapes.contentChunk("x", true)).containsEntry("usage", null);
    assertThat(shapes.roleChunk(false).get("choices").toString())
        .isEqualTo(
            "[{index=0, delta={role=assistant, content=, refusal=null}, logprobs=null,"
                + " finish_reason=null}]");
    Map<String, Object> finish = shapes.finishChunk(answer(), false, true);
    assertThat(finish.get("choices").toString()).contains("finish_reason=stop");
    assertThat(finish).containsKey("moa").containsEntry("object", "chat.completion.chunk");
    Map<String, Object> usage = shapes.usageChunk(answer());
    assertThat(usage.get("choices")).isEqualTo(List.of());
    assertThat(usage.get("usage").toString()).contains("total_tokens=210");
  }
}
