package dev.moa.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Value types: validation, defaults and key masking. */
class ModelTest {

  @Test
  void endpointMasksKey() {
    Endpoint e = new Endpoint("openai", "https://api.example.com/v1/", "sk-live-SECRET-123");
    assertThat(e.toString()).doesNotContain("SECRET").contains("***").contains("openai");
    assertThat(new Endpoint("local", "http://x", null).toString()).contains("apiKey=<none>");
    assertThat(e.chatCompletionsUrl()).isEqualTo("https://api.example.com/v1/chat/completions");
    assertThat(new Endpoint("p", "http://h/v1", null).chatCompletionsUrl())
        .isEqualTo("http://h/v1/chat/completions");
    assertThat(e.redact("bad key sk-live-SECRET-123!")).isEqualTo("bad key ***!");
    assertThatThrownBy(() -> new Endpoint("p", " ", null)).hasMessageContaining("baseUrl");
  }

  @Test
  void chatRequestValidates() {
    List<ChatMessage> msgs = List.of(ChatMessage.user("hi"));
    assertThat(new ChatRequest("m", msgs, 0.7, 100, null).seed()).isNull();
    assertThatThrownBy(() -> new ChatRequest("m", msgs, 0.7, 0, null))
        .hasMessageContaining("maxTokens")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> new ChatRequest("", msgs, 0.7, 10, null))
        .hasMessageContaining("model");
    assertThatThrownBy(() -> new ChatRequest("m", msgs, -1, 10, null))
        .hasMessageContaining("temperature");
  }

  @Test
  void optionsDefaultsAndValidation() {
    ProviderClientOptions o = ProviderClientOptions.defaults();
    assertThat(o.maxConnections()).isEqualTo(4096);
    assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.callTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(o.retryPolicy()).isEqualTo(RetryPolicy.defaults());
    assertThat(o.retryListener()).isNotNull();

    assertThatThrownBy(() -> ProviderClientOptions.builder().maxConnections(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> ProviderClientOptions.builder().idleTimeout(Duration.ZERO).build())
        .hasMessageContaining("idleTimeout")
        .hasMessageContaining("PT0S");
    assertThatThrownBy(
            () -> ProviderClientOptions.builder().callTimeout(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("callTimeout");
    assertThatThrownBy(() -> ProviderClientOptions.builder().connectTimeout(null).build())
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> ProviderClientOptions.builder().retryPolicy(null).build())
        .hasMessageContaining("retryPolicy");
    assertThatThrownBy(() -> ProviderClientOptions.builder().retryListener(null).build())
        .hasMessageContaining("retryListener");
  }

  @Test
  void outcomesAndTimings() {
    CallTimings t = new CallTimings(5, 10, null, 1);
    assertThat(t.providerTimeInfo()).isEmpty();
    CallOutcome ok = CallOutcome.succeeded("x", null, t, "stop", "m");
    assertThat(ok.succeeded()).isTrue();
    assertThat(((CallOutcome.Succeeded) ok).usage()).isEqualTo(Usage.ZERO);
    CallOutcome bad = CallOutcome.failed(ErrorClass.TIMEOUT, null, null, t);
    assertThat(bad.succeeded()).isFalse();
    assertThat(((CallOutcome.Failed) bad).message()).isEqualTo("timeout");
    assertThatThrownBy(() -> new CallTimings(1, 1, Map.of("a", 1.0), 1).providerTimeInfo().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
