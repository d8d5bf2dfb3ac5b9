package dev.moa.runtime.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.serde.AvroTrust;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CacheKeyTest {

  @BeforeAll
  static void trustGeneratedRecords() {
    AvroTrust.install();
  }

  static AgentTask.Builder task() {
    return AgentTask.newBuilder()
        .setTaskId("r1/0/0")
        .setRequestId("r1")
        .setLayer(0)
        .setAgentIndex(0)
        .setAgentName("qwen")
        .setRole(TaskRole.AGENT)
        .setModel("qwen-3-32b")
        .setProvider(
            ProviderRef.newBuilder()
                .setName("cerebras")
                .setBaseUrl("https://api.cerebras.ai/v1")
                .setApiKeyEnv("CEREBRAS_API_KEY")
                .build())
        .setTemperature(0.0)
        .setMaxTokens(256)
        .setMessages(
            List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "hello")))
        .setUseCache(true)
        .setCreatedAtMs(1L);
  }

  static ChatMessage m(String role, String content) {
    return new ChatMessage(role, content);
  }

  static String key(List<ChatMessage> messages) {
    return CacheKey.of("p", "http://h/v1", "m", messages, 10);
  }

  @Test
  void keyIsLowercaseSha256Hex() {
    assertThat(CacheKey.of(task().build())).matches("[0-9a-f]{64}");
  }

  @Test
  void equalCallsHaveEqualKeysWhateverTheirIdentitiesAndKeyVariable() {
    AgentTask a = task().build();
    AgentTask b =
        task()
            .setTaskId("r2/1/3")
            .setRequestId("r2")
            .setLayer(1)
            .setAgentIndex(3)
            .setAgentName("other")
            .setRole(TaskRole.AGGREGATOR)
            .setAttempt(4)
            .setSeed(99L)
            .setCreatedAtMs(5L)
            .setProvider(
                ProviderRef.newBuilder(task().getProvider()).setApiKeyEnv("OTHER_KEY").build())
            .setMessages(
                List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "hello")))
            .build();

    assertThat(CacheKey.of(b)).isEqualTo(CacheKey.of(a));
  }

  @Test
  void everyKeyFieldChangesTheKey() {
    ProviderRef p = task().getProvider();
    List<AgentTask> variants =
        List.of(
            task().build(),
            task().setProvider(ProviderRef.newBuilder(p).setName("groq").build()).build(),
            task()
                .setProvider(
                    ProviderRef.newBuilder(p).setBaseUrl("https://other.example/v1").build())
                .build(),
            task().setModel("llama3.1-8b").build(),
            task().setMaxTokens(257).build(),
            task().setMessages(List.of(m("system", "be brief"), m("user", "hello!"))).build(),
            task().setMessages(List.of(m("system", "be brief"), m("assistant", "hello"))).build(),
            task().setMessages(List.of(m("user", "hello"), m("system", "be brief"))).build(),
            task().setMessages(List.of(m("system", "be brief"))).build(),
            task()
                .setMessages(
                    List.of(m("system", "be brief"), m("user", "hello"), m("user", "hello")))
                .build());

    Set<String> keys = new HashSet<>();
    variants.forEach(t -> keys.add(CacheKey.of(t)));

    assertThat(keys).hasSize(variants.size());
  }

  @Test
  void ambiguousConcatenationsDoNotCollide() {
    List<String> keys = new ArrayList<>();
    // Content split differently between two messages.
    keys.add(key(List.of(m("user", "ab"), m("user", "c"))));
    keys.add(key(List.of(m("user", "a"), m("user", "bc"))));
    // One message with the other's text glued on.
    keys.add(key(List.of(m("user", "abc"))));
    keys.add(key(List.of(m("user", "a"), m("user", ""), m("user", "bc"))));
    // The boundary between role and content moves.
    keys.add(key(List.of(m("user", "x"))));
    keys.add(key(List.of(m("use", "rx"))));
    keys.add(key(List.of(m("userx", ""))));
    // Separators or length-like text inside values.
    keys.add(key(List.of(m("user", "a\u0000user\u0000b"))));
    keys.add(key(List.of(m("user", "a"), m("user", "b"))));
    // Provider, URL and model boundaries move.
    keys.add(CacheKey.of("ab", "c", "m", List.of(m("user", "q")), 1));
    keys.add(CacheKey.of("a", "bc", "m", List.of(m("user", "q")), 1));
    keys.add(CacheKey.of("a", "b", "cm", List.of(m("user", "q")), 1));

    assertThat(new HashSet<>(keys)).hasSize(keys.size());
  }

  @Test
  void baseUrlTrailingSlashesAndBlanksDoNotCount() {
    ProviderRef p = task().getProvider();
    AgentTask slash =
        task()
            .setProvider(
                ProviderRef.newBuilder(p).setBaseUrl(" https://api.cerebras.ai/v1// ").build())
            .build();

    assertThat(CacheKey.of(slash)).isEqualTo(CacheKey.of(task().build()));
  }

  @Test
  void onlyTasksThatAskAndHaveTemperatureExactlyZeroAreCacheable() {
    assertThat(CacheKey.cacheable(task().build())).isTrue();
    assertThat(CacheKey.cacheable(task().setTemperature(-0.0).build())).isTrue();
    assertThat(CacheKey.cacheable(task().setUseCache(false).build())).isFalse();
    assertThat(CacheKey.cacheable(task().setTemperature(0.7).build())).isFalse();
    assertThat(CacheKey.cacheable(task().setTemperature(Double.MIN_VALUE).build())).isFalse();
    assertThat(CacheKey.cacheable(task().setTemperature(1e-9).build())).isFalse();
  }
}
