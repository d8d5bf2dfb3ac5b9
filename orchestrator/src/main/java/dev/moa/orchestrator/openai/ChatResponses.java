package dev.moa.orchestrator.openai;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.FinalAnswer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI shapes of one MoA request's answer: a {@code chat.completion} object, or the {@code
 * chat.completion.chunk} events of a stream. Plain Java over the {@link FinalAnswer}.
 *
 * @param id {@code chatcmpl-<request id>}
 * @param created seconds since the epoch
 * @param model as the client gave it ({@code moa/<config>})
 */
record ChatResponses(String id, long created, String model) {

  static ChatResponses of(String requestId, long createdMillis, String model) {
    return new ChatResponses("chatcmpl-" + requestId, createdMillis / 1000, model);
  }

  /** The non-stream response. */
  Map<String, Object> completion(FinalAnswer answer, boolean moaLayers) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("role", "assistant");
    message.put("content", answer.getAnswer());
    message.put("refusal", null);
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("index", 0);
    choice.put("message", message);
    choice.put("logprobs", null);
    choice.put("finish_reason", finishReason(answer));
    Map<String, Object> out = head("chat.completion");
    out.put("choices", List.of(choice));
    out.put("usage", usage(answer));
    if (moaLayers) {
      out.put("moa", moa(answer));
    }
    return out;
  }

  /** The first chunk: the assistant role, empty content (as OpenAI starts a stream). */
  Map<String, Object> roleChunk(boolean includeUsage) {
    Map<String, Object> delta = new LinkedHashMap<>();
    delta.put("role", "assistant");
    delta.put("content", "");
    delta.put("refusal", null);
    return chunk(delta, null, includeUsage);
  }

  Map<String, Object> contentChunk(String text, boolean includeUsage) {
    return chunk(Map.of("content", text), null, includeUsage);
  }

  /** The chunk with the finish reason; the {@code moa} object rides on it when asked for. */
  Map<String, Object> finishChunk(FinalAnswer answer, boolean includeUsage, boolean moaLayers) {
    Map<String, Object> out = chunk(Map.of(), finishReason(answer), includeUsage);
    if (moaLayers) {
      out.put("moa", moa(answer));
    }
    return out;
  }

  /** The last chunk with {@code stream_options.include_usage}: no choices, the usage. */
  Map<String, Object> usageChunk(FinalAnswer answer) {
    Map<String, Object> out = head("chat.completion.chunk");
    out.put("choices", List.of());
    out.put("usage", usage(answer));
    return out;
  }

  /** Tokens of every call of the request: all agents of all layers and the aggregator. */
  static Map<String, Object> usage(FinalAnswer answer) {
    int prompt = answer.getUsage().getPromptTokens();
    int completion = answer.getUsage().getCompletionTokens();
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", (long) prompt + completion);
    return usage;
  }

  /** The extension: the request, and every layer's outputs and the aggregator's. */
  static Map<String, Object> moa(FinalAnswer answer) {
    Map<String, Object> moa = new LinkedHashMap<>();
    moa.put("request_id", answer.getRequestId());
    moa.put("config", answer.getConfigName());
    moa.put("simulated", answer.getSimulated());
    moa.put("latency_ms", answer.getLatencyMs());
    List<Map<String, Object>> layers = new ArrayList<>();
    for (int i = 0; i < answer.getLayers().size(); i++) {
      Map<String, Object> layer = new LinkedHashMap<>();
      layer.put("layer", i + 1);
      layer.put("outputs", answer.getLayers().get(i).stream().map(ChatResponses::output).toList());
      layers.add(layer);
    }
    moa.put("layers", layers);
    moa.put("aggregator", answer.getAggregator() == null ? null : output(answer.getAggregator()));
    return moa;
  }

  private static Map<String, Object> output(AgentOutput o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", o.getAgent());
    m.put("model", o.getModel());
    m.put("status", o.getStatus().name().toLowerCase(java.util.Locale.ROOT));
    m.put("prompt_tokens", o.getPromptTokens());
    m.put("completion_tokens", o.getCompletionTokens());
    m.put("latency_ms", o.getLatencyMs());
    m.put("ttft_ms", o.getTtftMs());
    m.put("text", o.getContent());
    m.put("error", o.getError());
    m.put("cached", o.getCached());
    return m;
  }

  /** The answer does not carry the aggregator's own finish reason: a finished MoA has stopped. */
  private static String finishReason(FinalAnswer answer) {
    return "stop";
  }

  private Map<String, Object> chunk(Map<String, Object> delta, String finish, boolean withUsage) {
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("index", 0);
    choice.put("delta", delta);
    choice.put("logprobs", null);
    choice.put("finish_reason", finish);
    Map<String, Object> out = head("chat.completion.chunk");
    out.put("choices", List.of(choice));
    if (withUsage) {
      out.put("usage", null);
    }
    return out;
  }

  private Map<String, Object> head(String object) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    out.put("object", object);
    out.put("created", created);
    out.put("model", model);
    out.put("system_fingerprint", null);
    return out;
  }
}
