package dev.moa.batch;

import dev.moa.eval.ResultLine;
import dev.moa.eval.ResultsFile;
import dev.moa.eval.Sample;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Drives one batch run: submits samples (at most {@code maxInFlight} unfinished at a time), reads
 * the run's committed answers and grades back from their start offsets, and appends one result line
 * per sample once its grade is in. It watches {@code moa.runs}: when the run is cancelled it
 * submits nothing more and waits for the pipeline to end what is in flight.
 *
 * <p>Single-threaded: one loop polls, submits, completes and reports progress. Nothing is kept only
 * in memory that a resume could not rebuild: results.jsonl is the journal, the topics the source.
 */
public final class RunEngine implements AutoCloseable {

  /** Publishes one sample's work (a request, or an answer to grade). */
  public interface Submitter {
    void submit(Sample sample);

    /** Makes everything submitted so far durable; throws when publishing failed. */
    void flush();
  }

  /** Told about progress about twice a second. */
  public interface ProgressSink {
    void update(Counts counts, Duration elapsed, boolean finished);
  }

  /** What the run has done so far. */
  public record Counts(long done, long total, long failed, long tokens, boolean cancelled) {}

  /**
   * The run's samples as {@code moa.runs} carries them: submitted (this run or before a resume),
   * answered (an answer came), graded (finished without failure: graded, or declined by the grader)
   * and failed (a failed or cancelled answer, or a grading error); the rest is pending.
   */
  public record SampleCounts(int total, int submitted, int answered, int graded, int failed) {
    public int pending() {
      return Math.max(0, total - graded - failed);
    }

    /** {@code base} with these counts. */
    public RunState applyTo(RunState base) {
      return RunState.newBuilder(base)
          .setTotal(total)
          .setSubmitted(submitted)
          .setAnswered(answered)
          .setGraded(graded)
          .setFailed(failed)
          .build();
    }
  }

  /** Told the sample counts every few seconds and once at the end (for moa.runs). */
  public interface CountsSink {
    /**
     * @param cancelReason why the run was cancelled, once it was (a state published then must say
     *     CANCELLED: moa.runs keeps only the latest state of a run); null while it runs
     */
    void publish(SampleCounts counts, String cancelReason, boolean finished);

    static CountsSink none() {
      return (counts, cancelReason, finished) -> {};
    }
  }

  /** How the run ended. */
  public enum Ending {
    COMPLETED,
    CANCELLED
  }

  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration PROGRESS_EVERY = Duration.ofMillis(500);
  private static final Duration COUNTS_EVERY = Duration.ofSeconds(3);

  private final String runId;
  private final Map<String, Sample> samples;
  private final ResultsFile results;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Clock clock;
  private final int maxInFlight;
  private final Duration sampleTimeout;
  private final Duration cancelGrace;

  private final Map<String, FinalAnswer> answers = new HashMap<>();
  private final Map<String, Grade> grades = new HashMap<>();
  private final Map<String, Long> inFlight = new LinkedHashMap<>();
  private final Set<String> submitted = new HashSet<>();
  private final Set<String> answered = new HashSet<>();
  private long failed;
  private long samplesOk;
  private long samplesFailed;
  private long tokens;
  private Long cancelledAtMs;
  private String cancelReason;

  public RunEngine(
      KafkaSettings settings,
      String runId,
      List<Sample> samples,
      ResultsFile results,
      Map<String, Map<Integer, Long>> startOffsets,
      int maxInFlight,
      Duration sampleTimeout,
      Duration cancelGrace,
      Clock clock) {
    this.runId = runId;
    this.samples = new LinkedHashMap<>();
    samples.forEach(s -> this.samples.put(s.id(), s));
    this.results = results;
    this.maxInFlight = maxInFlight;
    this.sampleTimeout = sampleTimeout;
    this.cancelGrace = cancelGrace;
    this.clock = clock;
    for (ResultLine line : results.all()) {
      count(line);
      if (this.samples.containsKey(line.id())) {
        submitted.add(line.id());
        answered.add(line.id());
      }
    }
    Map<String, Object> props = settings.consumer(null, true);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    consumer = new KafkaConsumer<>(props);
    List<TopicPartition> parts = new ArrayList<>(RunsTopic.partitions());
    for (var spec : List.of(Topics.ANSWERS, Topics.GRADES)) {
      for (int p = 0; p < spec.partitions(); p++) {
        parts.add(new TopicPartition(spec.name(), p));
      }
    }
    consumer.assign(parts);
    consumer.seekToBeginning(RunsTopic.partitions());
    for (TopicPartition tp : parts) {
      Map<Integer, Long> offsets = startOffsets.get(tp.topic());
      if (offsets != null && offsets.containsKey(tp.partition())) {
        consumer.seek(tp, offsets.get(tp.partition()));
      } else if (!tp.topic().equals(Topics.RUNS.name())) {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  /** The current end offsets of the answer and grade topics: where a new run starts reading. */
  public static Map<String, Map<Integer, Long>> currentEnds(KafkaSettings settings) {
    // The high watermark: records of this run can only come after it (read_uncommitted, since a
    // read_committed consumer asks for end offsets only of partitions it is assigned).
    Map<String, Object> props = settings.consumer(null, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Map<String, Map<Integer, Long>> out = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
      for (var spec : List.of(Topics.ANSWERS, Topics.GRADES)) {
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < spec.partitions(); p++) {
          parts.add(new TopicPartition(spec.name(), p));
        }
        Map<Integer, Long> ends = new LinkedHashMap<>();
        c.endOffsets(parts, Duration.ofSeconds(30)).forEach((tp, o) -> ends.put(tp.partition(), o));
        out.put(spec.name(), ends);
      }
    }
    return out;
  }

  /**
   * Runs until every sample has a result line, or the run was cancelled and what was in flight has
   * ended.
   */
  public Ending run(Submitter submitter, ProgressSink progress) {
    return run(submitter, progress, CountsSink.none());
  }

  /** {@link #run(Submitter, ProgressSink)}, telling {@code counts} how the samples stand. */
  public Ending run(Submitter submitter, ProgressSink progress, CountsSink counts) {
    long started = clock.millis();
    long lastCounts = 0;
    Deque<Sample> queue = new ArrayDeque<>();
    for (Sample s : samples.values()) {
      if (!results.existing().containsKey(s.id())) {
        queue.add(s);
      }
    }
    long lastProgress = 0;
    while (true) {
      long now = clock.millis();
      if (cancelledAtMs == null) {
        boolean sent = false;
        while (!queue.isEmpty() && inFlight.size() < maxInFlight) {
          Sample s = queue.poll();
          if (results.existing().containsKey(s.id()) || inFlight.containsKey(s.id())) {
            continue;
          }
          inFlight.put(s.id(), now);
          submitted.add(s.id());
          submitter.submit(s);
          sent = true;
          // Answers found in the topics may already complete it.
          complete(s.id());
        }
        if (sent) {
          submitter.flush();
        }
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
        onRecord(r);
      }
      now = clock.millis();
      expire(now);
      boolean allDone = doneCount() >= samples.size();
      boolean cancelEnded =
          cancelledAtMs != null
              && (inFlight.isEmpty() || now - cancelledAtMs >= cancelGrace.toMillis());
      if (cancelEnded && !inFlight.isEmpty()) {
        for (String id : List.copyOf(inFlight.keySet())) {
          appendSynthetic(id, AnswerStatus.CANCELLED, "cancelled: " + cancelReason, now);
        }
      }
      boolean finished = allDone || cancelEnded;
      if (finished || now - lastProgress >= PROGRESS_EVERY.toMillis()) {
        progress.update(counts(), Duration.ofMillis(now - started), finished);
        lastProgress = now;
      }
      if (finished || now - lastCounts >= COUNTS_EVERY.toMillis()) {
        counts.publish(sampleCounts(), cancelledAtMs == null ? null : cancelReason, finished);
        lastCounts = now;
      }
      if (finished) {
        return cancelledAtMs != null && !allDoneWithoutCancel()
            ? Ending.CANCELLED
            : Ending.COMPLETED;
      }
    }
  }

  private boolean allDoneWithoutCancel() {
    return results.all().stream().noneMatch(l -> "CANCELLED".equals(l.status()))
        && doneCount() >= samples.size();
  }

  public Counts counts() {
    return new Counts(doneCount(), samples.size(), failed, tokens, cancelledAtMs != null);
  }

  public SampleCounts sampleCounts() {
    return new SampleCounts(
        samples.size(), submitted.size(), answered.size(), (int) samplesOk, (int) samplesFailed);
  }

  private long doneCount() {
    return results.all().stream().filter(l -> samples.containsKey(l.id())).count();
  }

  private void onRecord(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    String topic = r.topic();
    try {
      if (topic.equals(Topics.RUNS.name())) {
        if (runId.equals(r.key())) {
          RunState state = Serdes.RUN_STATE.fromBytes(r.value());
          if (state.getStatus() == RunStatus.CANCELLED && cancelledAtMs == null) {
            cancelledAtMs = clock.millis();
            cancelReason = state.getReason() == null ? "run cancelled" : state.getReason();
          }
        }
      } else if (topic.equals(Topics.ANSWERS.name())) {
        FinalAnswer a = Serdes.FINAL_ANSWER.fromBytes(r.value());
        if (runId.equals(a.getRunId()) && samples.containsKey(a.getSampleId())) {
          answers.putIfAbsent(a.getSampleId(), a);
          answered.add(a.getSampleId());
          complete(a.getSampleId());
        }
      } else if (topic.equals(Topics.GRADES.name())) {
        Grade g = Serdes.GRADE.fromBytes(r.value());
        if (runId.equals(g.getRunId()) && samples.containsKey(g.getSampleId())) {
          grades.putIfAbsent(g.getSampleId(), g);
          complete(g.getSampleId());
        }
      }
    } catch (RuntimeException e) {
      // Another writer's record we cannot decode is not this run's: skip it.
    }
  }

  /** Appends the sample's result line once both its answer and its grade are in. */
  private void complete(String sampleId) {
    FinalAnswer a = answers.get(sampleId);
    Grade g = grades.get(sampleId);
    if (a == null || g == null) {
      return;
    }
    append(ResultLine.of(samples.get(sampleId), a, g));
    answers.remove(sampleId);
    grades.remove(sampleId);
  }

  private void expire(long now) {
    if (sampleTimeout.isZero()) {
      return;
    }
    for (Map.Entry<String, Long> e : List.copyOf(inFlight.entrySet())) {
      if (now - e.getValue() >= sampleTimeout.toMillis()) {
        String id = e.getKey();
        FinalAnswer a = answers.get(id);
        if (a != null) {
          // The answer is in but its grade never came: record the answer, ungraded.
          append(ResultLine.of(samples.get(id), a, null));
        } else {
          appendSynthetic(
              id,
              AnswerStatus.FAILED,
              "timeout: no graded answer within " + sampleTimeout.toSeconds() + " s",
              now);
        }
      }
    }
  }

  private void appendSynthetic(String id, AnswerStatus status, String error, long now) {
    FinalAnswer a =
        FinalAnswer.newBuilder()
            .setRequestId(dev.moa.protocol.request.RequestFactory.sampleRequestId(runId, id))
            .setRunId(runId)
            .setSampleId(id)
            .setStatus(status)
            .setError(error)
            .setUsage(new Usage(0, 0))
            .setCompletedAtMs(now)
            .build();
    append(ResultLine.of(samples.get(id), a, null));
  }

  private void append(ResultLine line) {
    try {
      if (results.append(line)) {
        count(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to results.jsonl: " + e.getMessage(), e);
    }
    inFlight.remove(line.id());
  }

  private void count(ResultLine line) {
    if (line.failed()) {
      failed++;
    }
    tokens += line.totalTokens();
    if (samples.containsKey(line.id())) {
      if (line.failed()) {
        samplesFailed++;
      } else {
        samplesOk++;
      }
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
