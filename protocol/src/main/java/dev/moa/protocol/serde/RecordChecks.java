package dev.moa.protocol.serde;

import dev.moa.protocol.avro.AgentOutput;
import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentSpec;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.LayerKind;
import dev.moa.protocol.avro.LayerSpec;
import dev.moa.protocol.avro.MoaConfigSnapshot;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.TaskRole;
import dev.moa.protocol.avro.Usage;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a consumer refuses even though it decodes: values no producer of the pipeline writes and
 * that would crash, hang or misroute the consumer (see docs/decisions/024). Values a worker can
 * answer with a FAILED result (max_tokens &lt; 1, an unknown provider, ...) are left to it: a
 * FAILED result lets the request's layer complete, a dead letter would leave it to its timeout.
 *
 * <p>Every check throws {@link InvalidRecordException} naming the field path and the bad value.
 */
public final class RecordChecks {

  private RecordChecks() {}

  /** Checks a record of any pipeline type; types without checks pass. */
  public static void check(SpecificRecord record) {
    if (record instanceof MoaRequest r) {
      request(r);
    } else if (record instanceof AgentTask t) {
      task("AgentTask", t, TaskRole.AGENT);
    } else if (record instanceof AgentResult r) {
      result(r);
    } else if (record instanceof AggregateTask a) {
      aggregate(a);
    } else if (record instanceof FinalAnswer a) {
      answer(a);
    } else if (record instanceof RunState r) {
      run(r);
    }
  }

  /** The serde's decoder followed by {@link #check}: what consumers decode with. */
  public static <T extends SpecificRecord> AvroSerde<T> checked(AvroSerde<T> serde) {
    return serde.withCheck(RecordChecks::check);
  }

  static void request(MoaRequest r) {
    String p = "MoaRequest.";
    id(p + "request_id", r.getRequestId());
    optionalId(p + "run_id", r.getRunId());
    notNegative(p + "submitted_at_ms", r.getSubmittedAtMs());
    if (r.getMessages().isEmpty()) {
      throw new InvalidRecordException(p + "messages", "[]", "must hold at least one message");
    }
    MoaConfigSnapshot c = r.getConfig();
    List<LayerSpec> layers = c.getLayers();
    if (layers.isEmpty()) {
      throw new InvalidRecordException(p + "config.layers", "[]", "must hold at least one layer");
    }
    int fewest = Integer.MAX_VALUE;
    for (int i = 0; i < layers.size(); i++) {
      List<AgentSpec> agents = layers.get(i).getAgents();
      if (agents.isEmpty()) {
        throw new InvalidRecordException(
            p + "config.layers[" + i + "].agents", "[]", "must hold at least one agent");
      }
      if (layers.get(i).getKind() == LayerKind.CRITIC) {
        critic(p + "config.layers[" + i + "]", layers.get(i), i);
      } else {
        fewest = Math.min(fewest, agents.size());
      }
    }
    votePattern(p + "config.vote_pattern", c.getVotePattern());
    if (c.getMinSuccesses() < 0 || c.getMinSuccesses() > fewest) {
      throw new InvalidRecordException(
          p + "config.min_successes",
          c.getMinSuccesses(),
          "is outside 0.." + fewest + " (agents of the smallest layer)");
    }
    notNegative(p + "config.layer_timeout_ms", c.getLayerTimeoutMs());
  }

  /** A critic layer the barrier can run: one critic, a layer before it, a loop target there. */
  private static void critic(String p, LayerSpec layer, int index) {
    if (index == 0) {
      throw new InvalidRecordException(p + ".kind", "CRITIC", "cannot be the first layer");
    }
    if (layer.getAgents().size() != 1) {
      throw new InvalidRecordException(
          p + ".agents", layer.getAgents().size() + " agents", "a critic layer has exactly one");
    }
    if (layer.getRetryLayer() < 0 || layer.getRetryLayer() > index) {
      throw new InvalidRecordException(
          p + ".retry_layer", layer.getRetryLayer(), "is outside 0.." + index);
    }
    notNegative(p + ".max_retries", layer.getMaxRetries());
  }

  private static void votePattern(String field, String pattern) {
    if (pattern == null) {
      return;
    }
    try {
      java.util.regex.Pattern.compile(pattern);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new InvalidRecordException(field, pattern, "is not a regular expression");
    }
  }

  static void task(String p, AgentTask t, TaskRole role) {
    id(p + ".task_id", t.getTaskId());
    id(p + ".request_id", t.getRequestId());
    notNegative(p + ".layer", t.getLayer()); // 0: a task outside any layer (tests, benches)
    notNegative(p + ".agent_index", t.getAgentIndex());
    notNegative(p + ".attempt", t.getAttempt());
    notNegative(p + ".created_at_ms", t.getCreatedAtMs());
    if (role == TaskRole.AGGREGATOR && t.getRole() != TaskRole.AGGREGATOR) {
      throw new InvalidRecordException(p + ".role", t.getRole(), "must be AGGREGATOR");
    }
  }

  static void result(AgentResult r) {
    String p = "AgentResult.";
    id(p + "task_id", r.getTaskId());
    id(p + "request_id", r.getRequestId());
    notNegative(p + "layer", r.getLayer());
    notNegative(p + "agent_index", r.getAgentIndex());
    usage(p + "usage", r.getUsage());
    notNegative(p + "completed_at_ms", r.getCompletedAtMs());
  }

  static void aggregate(AggregateTask a) {
    String p = "AggregateTask.";
    id(p + "request_id", a.getRequestId());
    optionalId(p + "run_id", a.getRunId());
    task(p + "call", a.getCall(), TaskRole.AGGREGATOR);
    votePattern(p + "vote_pattern", a.getVotePattern());
    if (!a.getCall().getRequestId().equals(a.getRequestId())) {
      throw new InvalidRecordException(
          p + "call.request_id",
          a.getCall().getRequestId(),
          "differs from request_id '" + a.getRequestId() + "'");
    }
    notNegative(p + "submitted_at_ms", a.getSubmittedAtMs());
    outputs(p + "layers", a.getLayers());
  }

  static void answer(FinalAnswer a) {
    String p = "FinalAnswer.";
    id(p + "request_id", a.getRequestId());
    optionalId(p + "run_id", a.getRunId());
    usage(p + "usage", a.getUsage());
    notNegative(p + "submitted_at_ms", a.getSubmittedAtMs());
    notNegative(p + "completed_at_ms", a.getCompletedAtMs());
    outputs(p + "layers", a.getLayers());
  }

  static void run(RunState r) {
    String p = "RunState.";
    id(p + "run_id", r.getRunId());
    notNegative(p + "total", r.getTotal());
    notNegative(p + "submitted", r.getSubmitted());
    notNegative(p + "answered", r.getAnswered());
    notNegative(p + "graded", r.getGraded());
    notNegative(p + "failed", r.getFailed());
    notNegative(p + "updated_at_ms", r.getUpdatedAtMs());
  }

  private static void outputs(String field, List<List<AgentOutput>> layers) {
    for (int i = 0; i < layers.size(); i++) {
      List<AgentOutput> layer = layers.get(i);
      for (int j = 0; j < layer.size(); j++) {
        AgentOutput o = layer.get(j);
        String f = field + "[" + i + "][" + j + "].";
        notNegative(f + "layer", o.getLayer());
        notNegative(f + "agent_index", o.getAgentIndex());
        notNegative(f + "prompt_tokens", o.getPromptTokens());
        notNegative(f + "completion_tokens", o.getCompletionTokens());
      }
    }
  }

  private static void usage(String field, Usage u) {
    notNegative(field + ".prompt_tokens", u.getPromptTokens());
    notNegative(field + ".completion_tokens", u.getCompletionTokens());
  }

  private static void id(String field, CharSequence value) {
    if (value.toString().isBlank()) {
      throw new InvalidRecordException(field, value, "must not be blank");
    }
    if (value.length() > 512) {
      throw new InvalidRecordException(field, value, "is longer than 512 characters");
    }
  }

  private static void optionalId(String field, CharSequence value) {
    if (value != null) {
      id(field, value);
    }
  }

  private static void notNegative(String field, long value) {
    if (value < 0) {
      throw new InvalidRecordException(field, value, "must be >= 0");
    }
  }
}
