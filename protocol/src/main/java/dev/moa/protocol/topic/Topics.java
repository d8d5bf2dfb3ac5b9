package dev.moa.protocol.topic;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.serde.Serdes;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/** Every topic of the pipeline, declared once. */
public final class Topics {

  /**
   * Requests and agent results are both keyed by request id and read by the same barrier task, so
   * they must have the same partition count (Kafka Streams co-partitioning).
   */
  public static final int BARRIER_PARTITIONS = 12;

  private static final Serde<String> KEY = org.apache.kafka.common.serialization.Serdes.String();
  private static final String WEEK_MS = Long.toString(7L * 24 * 3600 * 1000);

  public static final TopicSpec<String, MoaRequest> REQUESTS =
      new TopicSpec<>(
          "moa.requests", KEY, Serdes.REQUEST, BARRIER_PARTITIONS, Map.of("retention.ms", WEEK_MS));

  /** Keyed by task id so that load spreads over all partitions and all workers. */
  public static final TopicSpec<String, AgentTask> AGENT_TASKS =
      new TopicSpec<>(
          "moa.agent-tasks", KEY, Serdes.AGENT_TASK, 24, Map.of("retention.ms", WEEK_MS));

  public static final TopicSpec<String, AgentResult> AGENT_RESULTS =
      new TopicSpec<>(
          "moa.agent-results",
          KEY,
          Serdes.AGENT_RESULT,
          BARRIER_PARTITIONS,
          Map.of("retention.ms", WEEK_MS));

  public static final TopicSpec<String, AggregateTask> AGGREGATE_TASKS =
      new TopicSpec<>(
          "moa.aggregate-tasks", KEY, Serdes.AGGREGATE_TASK, 12, Map.of("retention.ms", WEEK_MS));

  public static final TopicSpec<String, FinalAnswer> ANSWERS =
      new TopicSpec<>("moa.answers", KEY, Serdes.FINAL_ANSWER, 12, Map.of("retention.ms", WEEK_MS));

  /** Live view only: short retention. */
  public static final TopicSpec<String, AnswerChunk> ANSWER_CHUNKS =
      new TopicSpec<>(
          "moa.answer-chunks", KEY, Serdes.ANSWER_CHUNK, 12, Map.of("retention.ms", "3600000"));

  public static final TopicSpec<String, Grade> GRADES =
      new TopicSpec<>("moa.grades", KEY, Serdes.GRADE, 12, Map.of("retention.ms", WEEK_MS));

  /**
   * Batch runs by run id (compacted: the latest state per run). The orchestrator reads it as a
   * global table so that a CANCELLED run starts no new tasks on any partition.
   */
  public static final TopicSpec<String, RunState> RUNS =
      new TopicSpec<>("moa.runs", KEY, Serdes.RUN_STATE, 3, Map.of("cleanup.policy", "compact"));

  /** The response cache by call key (compacted: one entry per identical temperature-0 call). */
  public static final TopicSpec<String, CachedResponse> RESPONSE_CACHE =
      new TopicSpec<>(
          "moa.response-cache",
          KEY,
          Serdes.CACHED_RESPONSE,
          6,
          Map.of("cleanup.policy", "compact"));

  /** Topics whose consumers may dead-letter records. */
  public static final List<TopicSpec<String, ?>> WITH_DLT =
      List.of(REQUESTS, AGENT_TASKS, AGENT_RESULTS, AGGREGATE_TASKS, ANSWERS);

  public static final List<TopicSpec<String, ?>> ALL =
      List.of(
          REQUESTS,
          AGENT_TASKS,
          AGENT_RESULTS,
          AGGREGATE_TASKS,
          ANSWERS,
          ANSWER_CHUNKS,
          GRADES,
          RUNS,
          RESPONSE_CACHE);

  /** Dead-letter topics: few partitions, long retention, raw bytes. */
  public static final int DLT_PARTITIONS = 3;

  private Topics() {}
}
