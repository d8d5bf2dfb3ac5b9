package dev.moa.orchestrator.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ChallengeTest {

  @Test
  void thePromptIsTheDemoDatasetsChallengeInput() throws Exception {
    String first = Files.readAllLines(Path.of("../datasets/demo.jsonl")).get(0);
    var sample = JsonMapper.builder().build().readTree(first);
    assertThat(sample.path("grader").path("type").asString()).isEqualTo("challenge");
    assertThat(Challenge.PROMPT).isEqualTo(sample.path("input").asString());
  }
}
