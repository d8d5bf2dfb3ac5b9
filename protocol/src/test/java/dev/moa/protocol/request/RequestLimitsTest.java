package dev.moa.protocol.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.prompt.Message;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {

  private static final RequestLimits SMALL = new RequestLimits(10, 2);

  @Test
  void promptOverTheByteLimitIsRefusedNamingSizeAndLimit() {
    assertThatThrownBy(() -> SMALL.check(List.of(new Message("user", "12345678901"))))
        .isInstanceOf(RequestLimits.RequestTooLargeException.class)
        .hasMessage("prompt: 11 bytes exceed the limit of 10 bytes");
  }

  @Test
  void promptBytesAreUtf8AndAddUpOverMessages() {
    // "é" is two bytes: 5 + 6 = 11 bytes in two messages of 5 characters together.
    assertThatThrownBy(
            () -> SMALL.check(List.of(new Message("system", "ééa"), new Message("user", "ééé"))))
        .hasMessage("prompt: 11 bytes exceed the limit of 10 bytes");
    SMALL.check(List.of(new Message("system", "éé"), new Message("user", "ééé")));
  }

  @Test
  void tooManyMessagesAreRefused() {
    List<Message> three = Collections.nCopies(3, new Message("user", "a"));
    assertThatThrownBy(() -> SMALL.check(three))
        .hasMessage("messages: 3 messages exceed the limit of 2");
  }

  @Test
  void badLimitsAreRejectedNamingTheValue() {
    assertThatThrownBy(() -> new RequestLimits(0, 1))
        .hasMessage("max prompt bytes: 0 must be >= 1");
    assertThatThrownBy(() -> new RequestLimits(1, -2)).hasMessage("max messages: -2 must be >= 1");
  }

  @Test
  void requestFactoryBuildsNoRecordOverTheLimits() throws Exception {
    MoaConfig config = ConfigLoader.defaultConfig();
    var snapshot =
        RequestFactory.snapshot(
            config, ProviderResolver.resolve(config, name -> null, "http://127.0.0.1:1/v1"));
    String big = "x".repeat(RequestLimits.DEFAULT_MAX_PROMPT_BYTES + 1);
    assertThatThrownBy(() -> RequestFactory.question(snapshot, big, null, 1, Map.of()))
        .isInstanceOf(RequestLimits.RequestTooLargeException.class)
        .hasMessageContaining("exceed the limit of " + RequestLimits.DEFAULT_MAX_PROMPT_BYTES);
    assertThat(
            RequestFactory.question(
                    snapshot, big, null, 1, Map.of(), new RequestLimits(big.length(), 1))
                .getMessages())
        .hasSize(1);
  }
}
