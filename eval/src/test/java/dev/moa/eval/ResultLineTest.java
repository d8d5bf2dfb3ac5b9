package dev.moa.eval;

import static dev.moa.eval.Fixtures.answer;
import static dev.moa.eval.Fixtures.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.GradeStatus;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ResultLineTest {

  private final Sample sample = Fixtures.sample("q-7", 7);

  private FinalAnswer twoLayers() {
    List<List<AgentOutput>> layers =
        List.of(
            List.of(
                output("a0", "m-small", 0, 0, true, 800), output("a1", "m-big", 0, 1, false, 1200)),
            List.of(
                Fixtures.cached(output("a0", "m-small", 1, 0, true, 5)),
                output("a1", "m-big", 1, 1, true, 950)));
    AgentOutput agg = Fixtures.cached(output("agg", "m-big", 2, 0, true, 400));
    return answer("req-7", "It is 42.\n<b>done</b>", layers, agg, 2_600);
  }

  @Test
  void ofCollectsLayersAggregatorUsageErrorsAndCacheHits() {
    Grade grade = Fixtures.grade("exact", GradeStatus.GRADED, 1, 1, null);
    ResultLine r = ResultLine.of(sample, twoLayers(), grade);

    assertThat(r.id()).isEqualTo("q-7");
    assertThat(r.line()).isEqualTo(7);
    assertThat(r.requestId()).isEqualTo("req-7");
    assertThat(r.status()).isEqualTo("SUCCEEDED");
    assertThat(r.answer()).isEqualTo("It is 42.\n<b>done</b>");
    assertThat(r.promptTokens()).isEqualTo(400); // 4 succeeded outputs x 100
    assertThat(r.completionTokens()).isEqualTo(200);
    assertThat(r.totalTokens()).isEqualTo(600);
    assertThat(r.latencyMs()).isEqualTo(2_600);
    assertThat(r.layers()).extracting(ResultLine.Layer::layer).containsExactly(0, 1);
    assertThat(r.layers())
        .extracting(ResultLine.Layer::latencyMs)
        .as("a layer takes as long as its slowest agent")
        .containsExactly(1200L, 950L);
    ResultLine.Agent failed = r.layers().get(0).agents().get(1);
    assertThat(failed.status()).isEqualTo("FAILED");
    assertThat(failed.error()).isEqualTo("http_429: rate limited");
    assertThat(failed.ttftMs()).isEqualTo(300);
    assertThat(r.aggregator().agent()).isEqualTo("agg");
    assertThat(r.cachedCalls()).as("one layer output and the aggregator").isEqualTo(2);
    assertThat(r.errors()).containsExactly("layer 0 agent a1 (m-big): http_429: rate limited");
    assertThat(r.grade().graded()).isTrue();
    assertThat(r.grade().detailsJson()).isEqualTo("{\"expected\":\"42\"}");
    assertThat(r.failed()).isFalse();
  }

  @Test
  void errorsListAnswerErrorFirstThenAgentsThenGradeError() {
    FinalAnswer failed = Fixtures.failed(twoLayers(), "timeout: no result within 30000 ms");
    Grade error = Fixtures.grade("code", GradeStatus.ERROR, 0, 10, "sandbox: bwrap missing");
    ResultLine r = ResultLine.of(sample, failed, error);
    assertThat(r.errors())
        .containsExactly(
            "timeout: no result within 30000 ms",
            "layer 0 agent a1 (m-big): http_429: rate limited",
            "grader code: sandbox: bwrap missing");
    assertThat(r.failed()).isTrue();
    assertThat(r.answerFailed()).isTrue();
  }

  @Test
  void toJsonHasTheDocumentedShape() {
    ResultLine r =
        ResultLine.of(sample, twoLayers(), Fixtures.grade("exact", GradeStatus.GRADED, 1, 1, null));
    String json = r.toJson();
    assertThat(json).doesNotContain("\n");
    JsonNode n = EvalJson.MAPPER.readTree(json);
    assertThat(n.get("id").asString()).isEqualTo("q-7");
    assertThat(n.get("line").asInt()).isEqualTo(7);
    assertThat(n.get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(n.get("answer").asString()).isEqualTo("It is 42.\n<b>done</b>");
    assertThat(n.get("grade").get("details").isObject()).as("details are JSON, not text").isTrue();
    assertThat(n.get("grade").get("details").get("expected").asString()).isEqualTo("42");
    assertThat(n.get("grade").get("max_score").asDouble()).isEqualTo(1.0);
    assertThat(n.get("grade").get("reason").isNull()).isTrue();
    assertThat(n.get("usage").get("prompt_tokens").asInt()).isEqualTo(400);
    assertThat(n.get("layers").get(0).get("latency_ms").asLong()).isEqualTo(1200);
    JsonNode agent = n.get("layers").get(0).get("agents").get(1);
    for (String field :
        List.of(
            "agent",
            "model",
            "status",
            "content",
            "prompt_tokens",
            "completion_tokens",
            "latency_ms",
            "ttft_ms",
            "error",
            "cached")) {
      assertThat(agent.has(field)).as(field).isTrue();
    }
    assertThat(n.get("aggregator").get("cached").asBoolean()).isTrue();
    assertThat(n.get("errors").size()).isEqualTo(1);
    assertThat(n.get("simulated").asBoolean()).isFalse();
    assertThat(n.get("cached_calls").asInt()).isEqualTo(2);
  }

  @Test
  void parseInvertsToJson() {
    FinalAnswer a = twoLayers();
    a.setSimulated(true);
    Grade g = Fixtures.grade("code", GradeStatus.GRADED, 7.5, 10, "partial");
    g.setDetailsJson("{\"tests\": [1, 2.50, {\"ok\": false}], \"note\": \"\\u003cx>\"}");
    ResultLine r = ResultLine.of(sample, a, g);
    ResultLine back = ResultLine.parse(r.toJson());
    assertThat(back).isEqualTo(r);
    assertThat(back.toJson()).isEqualTo(r.toJson());

    ResultLine ungraded = ResultLine.of(sample, Fixtures.cancelled("req-c"), null);
    assertThat(ungraded.grade()).isNull();
    assertThat(ungraded.aggregator()).isNull();
    assertThat(ResultLine.parse(ungraded.toJson())).isEqualTo(ungraded);
  }

  @Test
  void detailsThatAreNotAJsonObjectAreKeptAsRawText() {
    Grade g = Fixtures.grade("exact", GradeStatus.GRADED, 0, 1, null);
    g.setDetailsJson("not json {");
    ResultLine r = ResultLine.of(sample, twoLayers(), g);
    assertThat(r.grade().detailsJson()).isEqualTo("{\"raw\":\"not json {\"}");
    assertThat(ResultLine.parse(r.toJson())).isEqualTo(r);
  }

  @Test
  void parseRejectsBadLinesNamingTheField() {
    String good =
        ResultLine.of(sample, twoLayers(), Fixtures.grade("exact", GradeStatus.GRADED, 1, 1, null))
            .toJson();
    assertThatThrownBy(() -> ResultLine.parse(good.substring(0, good.length() / 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid JSON");
    assertThatThrownBy(() -> ResultLine.parse("[]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(
            () -> ResultLine.parse(good.replace("\"SUCCEEDED\",\"answer\"", "\"DONE\",\"answer\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field 'status' must be one of [CANCELLED, FAILED, SUCCEEDED], got: \"DONE\"");
    assertThatThrownBy(() -> ResultLine.parse(good.replace("\"line\":7", "\"line\":\"7\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field 'line' must be an integer, got: \"7\"");
    assertThatThrownBy(() -> ResultLine.parse(good.replace("\"ttft_ms\":200", "\"ttft_ms\":null")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field 'layers[0].agents[0].ttft_ms' must be an integer, got: null");
    assertThatThrownBy(() -> ResultLine.parse(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("empty results line");
  }

  @Test
  void unknownFieldsFromNewerWritersAreIgnored() {
    ResultLine r = ResultLine.of(sample, twoLayers(), null);
    String json = r.toJson();
    String extended = "{\"future\":[1,2]," + json.substring(1);
    assertThat(ResultLine.parse(extended)).isEqualTo(r);
  }
}
