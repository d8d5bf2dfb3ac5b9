package dev.moa.orchestrator.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigLoader;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestIntakeTest {

  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(42_000), ZoneOffset.UTC);

  private final RequestIntake intake =
      new RequestIntake(name -> null, "http://127.0.0.1:9/v1", CLOCK, ConfigLoader.defaultConfig());

  @Test
  void questionBecomesTheUsersMessageUnderTheDefaultConfig() throws Exception {
    MoaRequest r = intake.accept(new RequestIntake.Submission("Why {x}?", null, null, 7L));
    assertThat(r.getMessages()).hasSize(1);
    assertThat(r.getMessages().get(0).getRole()).isEqualTo("user");
    assertThat(r.getMessages().get(0).getContent()).isEqualTo("Why {x}?");
    assertThat(r.getConfig().getName()).isEqualTo("workshop");
    assertThat(r.getConfig().getLayers()).hasSize(3);
    assertThat(r.getSubmittedAtMs()).isEqualTo(42_000);
    assertThat(r.getSeed()).isEqualTo(7L);
    // Without CEREBRAS_API_KEY the workshop config falls back to the simulator.
    assertThat(r.getConfig().getAggregator().getProvider().getSimulated()).isTrue();
    assertThat(r.getConfig().getAggregator().getProvider().getBaseUrl())
        .isEqualTo("http://127.0.0.1:9/v1");
  }

  @Test
  void withTheKeySetTheRealProviderIsUsedAndOnlyTheVariableNameTravels() throws Exception {
    RequestIntake withKey =
        new RequestIntake(
            name -> name.equals("CEREBRAS_API_KEY") ? "csk-secret-value" : null,
            "http://127.0.0.1:9/v1",
            CLOCK,
            ConfigLoader.defaultConfig());
    MoaRequest r = withKey.accept(new RequestIntake.Submission("hi", null, null, null));
    var provider = r.getConfig().getLayers().get(0).getAgents().get(0).getProvider();
    assertThat(provider.getSimulated()).isFalse();
    assertThat(provider.getBaseUrl()).isEqualTo("https://api.cerebras.ai/v1");
    assertThat(provider.getApiKeyEnv()).isEqualTo("CEREBRAS_API_KEY");
    assertThat(r.toString()).doesNotContain("csk-secret-value");
  }

  @Test
  void conversationKeepsItsMessagesInOrder() throws Exception {
    MoaRequest r =
        intake.accept(
            new RequestIntake.Submission(
                null,
                List.of(
                    Map.of("role", "system", "content", "be brief"),
                    Map.of("role", "user", "content", "a"),
                    Map.of("role", "assistant", "content", "b"),
                    Map.of("role", "user", "content", "c")),
                null,
                null));
    assertThat(r.getMessages())
        .extracting(m -> m.getContent())
        .containsExactly("be brief", "a", "b", "c");
  }

  @Test
  void bothQuestionAndMessagesIsRejected() {
    assertThatThrownBy(
            () ->
                intake.accept(
                    new RequestIntake.Submission(
                        "q", List.of(Map.of("role", "user", "content", "x")), null, null)))
        .hasMessage("body: give exactly one of 'question' or 'messages'");
  }

  @Test
  void neitherQuestionNorMessagesIsRejected() {
    assertThatThrownBy(() -> intake.accept(new RequestIntake.Submission(" ", null, null, null)))
        .hasMessage("body: give exactly one of 'question' or 'messages'");
  }

  @Test
  void unknownRoleIsRejectedWithItsIndex() {
    assertThatThrownBy(
            () ->
                intake.accept(
                    new RequestIntake.Submission(
                        null, List.of(Map.of("role", "robot", "content", "x")), null, null)))
        .hasMessageStartingWith("messages[0].role: 'robot' is not one of");
  }

  @Test
  void conversationMustEndWithTheUser() {
    assertThatThrownBy(
            () ->
                intake.accept(
                    new RequestIntake.Submission(
                        null,
                        List.of(
                            Map.of("role", "user", "content", "x"),
                            Map.of("role", "assistant", "content", "y")),
                        null,
                        null)))
        .hasMessage("messages: the last message must be the user's");
  }

  @Test
  void badInlineConfigIsRejectedWithItsFieldPath() {
    String yaml =
        "name: x\nlayers: 1\nagents: [{name: a, model: m, temperature: 9}]\naggregator: {model: m}\n";
    assertThatThrownBy(() -> intake.accept(new RequestIntake.Submission("q", null, yaml, null)))
        .hasMessageContaining("temperature: 9");
  }

  @Test
  void missingKeyForARealProviderIsRejectedNamingTheVariable() {
    String yaml =
        "name: x\nlayers: 1\nagents: [{name: a, model: m, provider: openai}]\n"
            + "aggregator: {model: m, provider: openai}\n";
    assertThatThrownBy(() -> intake.accept(new RequestIntake.Submission("q", null, yaml, null)))
        .hasMessageContaining("OPENAI_API_KEY");
  }
}
