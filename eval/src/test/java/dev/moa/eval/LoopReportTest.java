package dev.moa.eval;

import static dev.moa.eval.Fixtures.output;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.FinalAnswer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A critic loop in results.jsonl and report.html: every pass with its round and verdict. */
class LoopReportTest {

  private static AgentOutput pass(AgentOutput o, int round, String verdict) {
    return AgentOutput.newBuilder(o).setRound(round).setVerdict(verdict).build();
  }

  private static FinalAnswer looped() {
    List<List<AgentOutput>> layers =
        List.of(
            List.of(pass(output("p1", "m", 1, 0, true, 10), 0, null)),
            List.of(pass(output("critic", "j", 2, 0, true, 5), 0, "REJECT")),
            List.of(pass(output("p1", "m", 1, 0, true, 12), 1, null)),
            List.of(pass(output("critic", "j", 2, 0, true, 6), 1, "ACCEPT")));
    return Fixtures.answer("r", "plan", layers, output("agg", "m", 3, 0, true, 20), 100);
  }

  @Test
  void roundsAndVerdictsSurviveAResultsLineRoundTrip() {
    ResultLine line = ResultLine.of(Fixtures.sample("q", 1), looped(), null);

    assertThat(line.layers())
        .extracting(l -> l.layer() + "/" + l.round() + "/" + l.verdict())
        .containsExactly("1/0/null", "2/0/REJECT", "1/1/null", "2/1/ACCEPT");
    assertThat(ResultLine.parse(line.toJson())).isEqualTo(line);
    assertThat(line.toJson()).contains("\"round\":1,\"verdict\":\"ACCEPT\"");
  }

  @Test
  void aLineWrittenBeforeShapesReadsAsRoundZero() {
    String old =
        ResultLine.of(Fixtures.sample("q", 1), looped(), null)
            .toJson()
            .replaceAll("\"round\":\\d+,", "")
            .replaceAll(",?\"verdict\":\"[A-Z]+\"", "");

    ResultLine line = ResultLine.parse(old);

    assertThat(line.layers()).allMatch(l -> l.round() == 0 && l.verdict() == null);
  }

  @Test
  void theReportShowsTheLoopOfASample(@TempDir Path dir) throws Exception {
    ResultLine line = ResultLine.of(Fixtures.sample("q", 1), looped(), null);
    Summary summary = Summary.of(Fixtures.run("completed", 1, List.of(), Map.of()), List.of(line));
    Path html = dir.resolve("report.html");

    ReportWriter.write(html, summary, List.of(line), List.of());

    String text = Files.readString(html);
    assertThat(text)
        .contains(
            "<h3>Loop</h3><ol class=\"loop\"><li>layer 1 · round 0</li>"
                + "<li>layer 2 · round 0 · critic: <b>REJECT</b></li><li>layer 1 · round 1</li>"
                + "<li>layer 2 · round 1 · critic: <b>ACCEPT</b></li></ol>")
        .contains("<h3>Layer 2 · round 1 · verdict ACCEPT <small>");
  }
}
