package dev.moa.protocol.request;

import dev.moa.protocol.avro.AgentSpec;
import dev.moa.protocol.avro.AggregationMode;
import dev.moa.protocol.avro.ChatMessage;
import dev.moa.protocol.avro.LayerKind;
import dev.moa.protocol.avro.LayerSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.Price;
import dev.moa.protocol.avro.ProviderRef;
import dev.moa.protocol.config.AgentConfig;
import dev.moa.protocol.config.AggregatorConfig;
import dev.moa.protocol.config.ConfigWriter;
import dev.moa.protocol.config.LayerConfig;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ModelPrice;
import dev.moa.protocol.config.ResolvedProvider;
import dev.moa.protocol.prompt.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Turns a validated config and a conversation into the request record the pipeline runs. */
public final class RequestFactory {

  static {
    dev.moa.protocol.serde.AvroTrust.install();
  }

  private RequestFactory() {}

  /** A fresh request id for a one-off question. Runs use run id + sample id instead. */
  public static String newRequestId() {
    return "req-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  }

  /** The request id of one sample of a run, so a resumed run recognises its samples. */
  public static String sampleRequestId(String runId, String sampleId) {
    return runId + "/" + sampleId;
  }

  /** The config's price of {@code model}, or null when it has none. */
  static Price price(MoaConfig config, String model) {
    ModelPrice p = config.prices().get(model);
    return p == null ? null : new Price(p.inputPerMillion(), p.outputPerMillion());
  }

  public static MoaConfigSnapshot snapshot(
      MoaConfig config, Map<String, ResolvedProvider> providers) {
    List<LayerSpec> layers = new ArrayList<>();
    for (LayerConfig layer : config.layers()) {
      List<AgentSpec> agents = new ArrayList<>();
      for (AgentConfig a : layer.agents()) {
        agents.add(
            AgentSpec.newBuilder()
                .setName(a.name())
                .setModel(a.model())
                .setProvider(providerRef(providers, a.provider()))
                .setTemperature(a.temperature())
                .setMaxTokens(a.maxTokens())
                .setPrompt(a.prompt())
                .setPrice(price(config, a.model()))
                .build());
      }
      layers.add(
          LayerSpec.newBuilder()
              .setAgents(agents)
              .setKind(LayerKind.valueOf(layer.kind().name()))
              .setRetryLayer(layer.retryLayer())
              .setMaxRetries(layer.maxRetries())
              .build());
    }
    AggregatorConfig agg = config.aggregator();
    AgentSpec aggregator =
        AgentSpec.newBuilder()
            .setName("aggregator")
            .setModel(agg.model())
            .setProvider(providerRef(providers, agg.provider()))
            .setTemperature(agg.temperature())
            .setMaxTokens(agg.maxTokens())
            .setPrompt(agg.prompt())
            .setPrice(price(config, agg.model()))
            .build();
    return MoaConfigSnapshot.newBuilder()
        .setName(config.name())
        .setLayers(layers)
        .setAggregator(aggregator)
        .setReferencePrompt(config.referencePrompt())
        .setMinSuccesses(config.minSuccesses())
        .setLayerTimeoutMs(config.layerTimeout().toMillis())
        .setConfigHash(configHash(config))
        .setAggregation(AggregationMode.valueOf(agg.mode().name()))
        .setVotePattern(agg.votePattern())
        .build();
  }

  /** A request within {@link RequestLimits#DEFAULT}. */
  public static MoaRequest request(
      String requestId,
      MoaConfigSnapshot snapshot,
      List<Message> conversation,
      Long seed,
      long nowMs,
      Map<String, String> metadata) {
    return request(requestId, snapshot, conversation, seed, nowMs, metadata, RequestLimits.DEFAULT);
  }

  /**
   * The request record of a conversation.
   *
   * @throws RequestLimits.RequestTooLargeException when the conversation is over {@code limits}:
   *     nothing oversized is ever built, so nothing oversized reaches Kafka
   */
  public static MoaRequest request(
      String requestId,
      MoaConfigSnapshot snapshot,
      List<Message> conversation,
      Long seed,
      long nowMs,
      Map<String, String> metadata,
      RequestLimits limits) {
    limits.check(conversation);
    List<ChatMessage> messages = new ArrayList<>();
    for (Message m : conversation) {
      messages.add(new ChatMessage(m.role(), m.content()));
    }
    return MoaRequest.newBuilder()
        .setRequestId(requestId)
        .setConfig(snapshot)
        .setMessages(messages)
        .setSubmittedAtMs(nowMs)
        .setSeed(seed)
        .setMetadata(Map.copyOf(metadata))
        .build();
  }

  /** A one-question request with a fresh id: the user's question is the whole conversation. */
  public static MoaRequest question(
      MoaConfigSnapshot snapshot,
      String question,
      Long seed,
      long nowMs,
      Map<String, String> metadata) {
    return question(snapshot, question, seed, nowMs, metadata, RequestLimits.DEFAULT);
  }

  /** A one-question request within {@code limits}. */
  public static MoaRequest question(
      MoaConfigSnapshot snapshot,
      String question,
      Long seed,
      long nowMs,
      Map<String, String> metadata,
      RequestLimits limits) {
    return request(
        newRequestId(),
        snapshot,
        List.of(new Message("user", question)),
        seed,
        nowMs,
        metadata,
        limits);
  }

  /** True when any call of the snapshot goes to the simulator. */
  public static boolean simulated(MoaConfigSnapshot snapshot) {
    if (snapshot.getAggregator().getProvider().getSimulated()) {
      return true;
    }
    return snapshot.getLayers().stream()
        .flatMap(l -> l.getAgents().stream())
        .anyMatch(a -> a.getProvider().getSimulated());
  }

  private static ProviderRef providerRef(Map<String, ResolvedProvider> providers, String name) {
    ResolvedProvider p = providers.get(name);
    if (p == null) {
      throw new IllegalArgumentException("provider " + name + " was not resolved");
    }
    return ProviderRef.newBuilder()
        .setName(p.name())
        .setBaseUrl(p.baseUrl())
        .setApiKeyEnv(p.simulated() ? null : p.apiKeyEnv())
        .setSimulated(p.simulated())
        .build();
  }

  /** The config's identity in requests and reports: SHA-256 of its canonical YAML. */
  public static String configHash(MoaConfig config) {
    return sha256(ConfigWriter.toYaml(config));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
