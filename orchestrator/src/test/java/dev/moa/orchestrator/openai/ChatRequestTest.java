package dev.moa.orchestrator.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.moa.protocol.prompt.Message;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChatRequestTest {

  @Test
  void anOpenAiBodyBecomesTheConversationOfAConfig() throws OpenAiError {
    ChatRequest r =
        ChatRequest.parse(
            """
            {"model": "moa/workshop", "stream": true, "stream_options": {"include_usage": true},
             "temperature": 0.2, "max_tokens": 50, "n": 1, "seed": 7, "moa": {"layers": true},
             "messages": [{"role": "developer", "content": "Be brief."},
                          {"role": "assistant", "content": "Hi."},
                          {"role": "user", "content": [{"type": "text", "text": "Why"},
                                                       {"type": "text", "text": "blue?"}]}]}
            """);

    assertThat(r.configName()).isEqualTo("workshop");
    assertThat(r.model()).isEqualTo("moa/workshop");
    assertThat(r.stream()).isTrue();
    assertThat(r.includeUsage()).isTrue();
    assertThat(r.moaLayers()).isTrue();
    assertThat(r.seed()).isEqualTo(7L);
    assertThat(r.messages())
        .containsExactly(
            new Message("system", "Be brief."),
            new Message("assistant", "Hi."),
            new Message("user", "Why\nblue?"));
  }

  @Test
  void defaultsAreNoStreamNoUsageNoLayers() throws OpenAiError {
    ChatRequest r =
        ChatRequest.parse(
            "{\"model\":\"moa/x\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}");

    assertThat(r.stream()).isFalse();
    assertThat(r.includeUsage()).isFalse();
    assertThat(r.moaLayers()).isFalse();
    assertThat(r.seed()).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "| | body: empty",
        "[1] | | body: expected a JSON object",
        "{\"model\": | | body: not JSON",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]} | model | model: missing",
        "{\"model\":\"moa/x\"} | messages | messages: missing or empty",
        "{\"model\":\"moa/x\",\"messages\":[{\"role\":\"tool\",\"content\":\"q\"}]} | messages[0].role | 'tool' is not one of",
        "{\"model\":\"moa/x\",\"messages\":[{\"role\":\"user\"}]} | messages[0].content | missing",
        "{\"model\":\"moa/x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]} | messages[0].content[0] | only text parts",
        "{\"model\":\"moa/x\",\"messages\":[{\"role\":\"assistant\",\"content\":\"a\"}]} | messages | last message must be the user's",
        "{\"model\":\"moa/x\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]} | n | n: 2 is not supported",
        "{\"model\":\"moa/x\",\"tools\":[{}],\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]} | tools | not supported",
        "{\"model\":\"moa/x\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]} | stream | \"yes\" is not true or false",
        "{\"model\":\"moa/x\",\"seed\":\"s\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]} | seed | is not an integer",
      })
  void badBodiesAre400NamingTheField(String body, String param, String message) {
    OpenAiError e = catchThrowableOfType(OpenAiError.class, () -> ChatRequest.parse(body));

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains(message);
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>) e.body().get("error");
    assertThat(error).containsEntry("type", "invalid_request_error").containsEntry("param", param);
  }

  @ParameterizedTest
  @CsvSource({"gpt-4o", "moa/"})
  void aModelOutsideMoaIsModelNotFound(String model) {
    OpenAiError e =
        catchThrowableOfType(
            OpenAiError.class,
            () ->
                ChatRequest.parse(
                    "{\"model\":\""
                        + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}"));

    assertThat(e.status()).isEqualTo(404);
    assertThat(e.body().get("error").toString()).contains("code=model_not_found");
  }
}
