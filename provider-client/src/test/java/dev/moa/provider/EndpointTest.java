package dev.moa.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class EndpointTest {

  @Test
  void limitKeyNamesTheProviderAndSeparatesKeysAndServersWithoutShowingTheKey() {
    String key = "sk-" + UUID.randomUUID();
    Endpoint a = new Endpoint("cerebras", "https://api.cerebras.ai/v1", key);

    assertThat(a.limitKey())
        .startsWith("cerebras@")
        .matches("cerebras@[0-9a-f]{12}")
        .doesNotContain(key)
        .isEqualTo(new Endpoint("cerebras", "https://api.cerebras.ai/v1", key).limitKey());
    assertThat(a.limitKey())
        .isNotEqualTo(new Endpoint("cerebras", "https://api.cerebras.ai/v1", key + "x").limitKey())
        .isNotEqualTo(new Endpoint("cerebras", "http://127.0.0.1:8080/v1", key).limitKey())
        .isNotEqualTo(new Endpoint("cerebras", "https://api.cerebras.ai/v1", null).limitKey());
  }
}
