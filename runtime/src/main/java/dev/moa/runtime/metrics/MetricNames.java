package dev.moa.runtime.metrics;

/**
 * Every metric name and tag key of the pipeline, in one place (OpenTelemetry GenAI names first).
 */
public final class MetricNames {

  // OpenTelemetry GenAI semantic conventions, exported by Micrometer with underscores.
  public static final String GEN_AI_TOKEN_USAGE = "gen_ai.client.token.usage";
  public static final String GEN_AI_OPERATION_DURATION = "gen_ai.client.operation.duration";
  public static final String GEN_AI_TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";

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
  public static final String GRADES = "moa.grades";
  public static final String TAG_GRADER = "grader";
  public static final String TAG_STATUS = "status";
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
