package dev.moa.runtime.metrics;

/**
 * Every metric name and tag key of the pipeline, in one place (OpenTelemetry GenAI names first).
 */
public final class MetricNames {

  // OpenTelemetry GenAI semantic conventions, exported by Micrometer with underscores.
  public static final String GEN_AI_TOKEN_USAGE = "gen_ai.client.token.usage";
  public static final String GEN_AI_OPERATION_DURATION = "gen_ai.client.operation.duration";
  public static final String GEN_AI_TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";
  public static final String GEN_AI_TIME_PER_OUTPUT_TOKEN = "gen_ai.server.time_per_output_token";

  public static final String TAG_MODEL = "gen_ai.request.model";
  public static final String TAG_PROVIDER = "gen_ai.provider.name";
  public static final String TAG_OPERATION = "gen_ai.operation.name";
  public static final String TAG_TOKEN_TYPE = "gen_ai.token.type";
  public static final String TAG_ERROR_TYPE = "error.type";
  public static final String TAG_AGENT = "moa.agent";
  public static final String TAG_LAYER = "moa.layer";

  // Tag values.
  public static final String OPERATION_CHAT = "chat";
  public static final String TOKEN_TYPE_INPUT = "input";
  public static final String TOKEN_TYPE_OUTPUT = "output";

  /** {@link #TAG_AGENT} and {@link #TAG_LAYER} value of the aggregator's call. */
  public static final String AGGREGATOR = "aggregator";

  /** {@link #TAG_AGENT} and {@link #TAG_LAYER} value of a grader's judge call. */
  public static final String JUDGE = "judge";

  /**
   * {@link #TAG_ERROR_TYPE} value of a call that succeeded. Prometheus needs every series of a
   * metric to have the same label names; an empty label value is the same as no label in PromQL.
   */
  public static final String NO_ERROR = "";

  // Pipeline metrics.
  public static final String INFLIGHT_CALLS = "moa.inflight.calls";
  public static final String RETRIES = "moa.retries";
  public static final String TAG_CAUSE = "cause";
  public static final String REQUEST_DURATION = "moa.request.duration";
  public static final String LAYER_DURATION = "moa.layer.duration";
  public static final String BARRIER_WAIT = "moa.barrier.wait";

  /** Time a call waited for a rate limit (a 429's retry-after) before it was sent again. */
  public static final String RATELIMIT_WAIT = "moa.ratelimit.wait";

  /**
   * A provider's circuit breaker (tag {@code gen_ai.provider.name}): 0 closed, 1 half-open, 2 open.
   */
  public static final String CIRCUIT_STATE = "moa.provider.circuit.state";

  /** USD spent on model calls (tags model, token type, agent); only when prices are configured. */
  public static final String COST = "moa.cost.usd";

  /** Requests answered, by {@link #TAG_OUTCOME} (orchestrator, from moa.answers). */
  public static final String REQUESTS = "moa.requests";

  public static final String TAG_OUTCOME = "outcome";
  public static final String OUTCOME_OK = "ok";
  public static final String OUTCOME_FAILED = "failed";

  /** Grades published, by {@link #TAG_GRADER} and {@link #TAG_OUTCOME} = graded|error|refused. */
  public static final String GRADES = "moa.grades";

  /** Score of a GRADED grade as a fraction of its max score (0..1), by {@link #TAG_GRADER}. */
  public static final String GRADE_SCORE = "moa.grade.score";

  public static final String OUTCOME_GRADED = "graded";
  public static final String OUTCOME_ERROR = "error";
  public static final String OUTCOME_REFUSED = "refused";
  public static final String TAG_GRADER = "grader";
  public static final String TAG_STATUS = "status";

  /** Samples of a batch run by {@link #TAG_STATE} (orchestrator, from moa.runs). */
  public static final String RUN_SAMPLES = "moa.run.samples";

  public static final String TAG_RUN = "run";
  public static final String TAG_STATE = "state";

  /** Tag of every Kafka client meter: the client id (the name Spring Kafka's listeners use). */
  public static final String TAG_KAFKA_CLIENT = "spring.id";

  public static final String DLT_RECORDS = "moa.dlt.records";
  public static final String TAG_TOPIC = "topic";

  /** Records an AsyncRecordConsumer handed out and not finished (tags topic, consumer). */
  public static final String CONSUMER_IN_FLIGHT = "moa.consumer.inflight";

  /** Handler runs of an AsyncRecordConsumer that failed and will be retried (tag topic). */
  public static final String CONSUMER_RETRIES = "moa.consumer.retries";

  public static final String TAG_CONSUMER = "consumer";

  /** Response-cache lookups of cacheable tasks (tag {@link #TAG_RESULT} = hit | miss). */
  public static final String CACHE_LOOKUPS = "moa.cache.lookups";

  public static final String TAG_RESULT = "result";
  public static final String CACHE_HIT = "hit";
  public static final String CACHE_MISS = "miss";

  private MetricNames() {}
}
