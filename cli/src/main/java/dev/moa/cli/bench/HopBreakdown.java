package dev.moa.cli.bench;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a pipeline request's time goes besides its model calls: the gaps between the Kafka records
 * of one request (their create timestamps, same machine clock), along the critical path. The
 * segments of a request add up to its end-to-end time minus its critical path (slowest call of each
 * layer + the aggregator call), so they say which hand-over the overhead sits in.
 *
 * <p>Segments: {@code intake} (submitted → first task of layer 1: the request's produce, the
 * barrier's fetch and processing), {@code layerN_calls} (layer N's first task → its last result,
 * minus the slowest call: worker fetch and hand-off, HTTP outside the measured call, result
 * produce), {@code barrierN} (layer N's last result → layer N+1's first task), {@code aggregate}
 * (last layer's last result → the aggregate task: barrier processing), {@code aggregator}
 * (aggregate task → the answer record, minus the aggregator call: the barrier's commit, the
 * aggregator's read_committed fetch), {@code answer} (answer record → the client has it: the
 * aggregator's transaction commit and the client's read_committed fetch).
 */
final class HopBreakdown {

  /** A request as the client saw it: sent and answered, epoch milliseconds. */
  record Sent(String requestId, long submittedMs, long receivedMs) {}

  /** The records of one request, reduced to what the segments need. */
  static final class Trace {
    final Map<Integer, Long> firstTask = new TreeMap<>();
    final Map<Integer, Long> lastResult = new TreeMap<>();
    final Map<Integer, Long> slowestCall = new TreeMap<>();
    long aggregateTask = -1;
    long answer = -1;
    long aggregatorCall = -1;

    void task(int layer, long ts) {
      firstTask.merge(layer, ts, Math::min);
    }

    void result(int layer, long ts, long durationMs) {
      lastResult.merge(layer, ts, Math::max);
      slowestCall.merge(layer, durationMs, Math::max);
    }

    /**
     * The segments in path order (ms), or null when a record is missing (a failed layer, a request
     * outside the snapshot).
     */
    Map<String, Double> segments(Sent s) {
      if (firstTask.isEmpty()
          || !firstTask.keySet().equals(lastResult.keySet())
          || aggregateTask < 0
          || answer < 0
          || aggregatorCall < 0) {
        return null;
      }
      Map<String, Double> out = new LinkedHashMap<>();
      List<Integer> layers = new ArrayList<>(firstTask.keySet());
      out.put("intake", (double) (firstTask.get(layers.get(0)) - s.submittedMs()));
      for (int i = 0; i < layers.size(); i++) {
        int layer = layers.get(i);
        out.put(
            "layer" + layer + "_calls",
            (double) (lastResult.get(layer) - firstTask.get(layer) - slowestCall.get(layer)));
        if (i + 1 < layers.size()) {
          out.put(
              "barrier" + layer,
              (double) (firstTask.get(layers.get(i + 1)) - lastResult.get(layer)));
        }
      }
      out.put(
          "aggregate", (double) (aggregateTask - lastResult.get(layers.get(layers.size() - 1))));
      out.put("aggregator", (double) (answer - aggregateTask - aggregatorCall));
      out.put("answer", (double) (s.receivedMs() - answer));
      return out;
    }
  }

  private HopBreakdown() {}

  /** The topics whose records make up a request's path. */
  static boolean onPath(String topic) {
    return topic.equals(Topics.AGENT_TASKS.name())
        || topic.equals(Topics.AGENT_RESULTS.name())
        || topic.equals(Topics.AGGREGATE_TASKS.name())
        || topic.equals(Topics.ANSWERS.name());
  }

  /**
   * Reads the path topics between two offset snapshots and returns, per segment, the values of
   * every request of {@code sent} whose records were all found.
   */
  static Map<String, double[]> measure(
      KafkaSettings settings,
      Map<TopicPartition, Long> from,
      Map<TopicPartition, Long> to,
      List<Sent> sent,
      Duration timeout) {
    Map<String, Trace> traces = new HashMap<>();
    sent.forEach(s -> traces.put(s.requestId(), new Trace()));
    Map<TopicPartition, Long> path = new HashMap<>();
    to.forEach(
        (tp, end) -> {
          if (onPath(tp.topic())) {
            path.put(tp, end);
          }
        });
    KafkaRates.read(settings, from, path, timeout, r -> add(traces, r));
    Map<String, List<Double>> values = new LinkedHashMap<>();
    for (Sent s : sent) {
      Map<String, Double> seg = traces.get(s.requestId()).segments(s);
      if (seg != null) {
        seg.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
      }
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
    return out;
  }

  /**
   * Adds one record to its request's trace; records of other requests or undecodable are skipped.
   */
  static void add(Map<String, Trace> traces, ConsumerRecord<byte[], byte[]> r) {
    String topic = r.topic();
    try {
      if (topic.equals(Topics.AGENT_TASKS.name())) {
        AgentTask t = Serdes.AGENT_TASK.fromBytes(r.value());
        Trace trace = traces.get(t.getRequestId());
        if (trace != null) {
          trace.task(t.getLayer(), r.timestamp());
        }
      } else if (topic.equals(Topics.AGENT_RESULTS.name())) {
        AgentResult a = Serdes.AGENT_RESULT.fromBytes(r.value());
        Trace trace = traces.get(a.getRequestId());
        if (trace != null) {
          trace.result(a.getLayer(), r.timestamp(), a.getTimings().getDurationMs());
        }
      } else if (topic.equals(Topics.AGGREGATE_TASKS.name())) {
        AggregateTask a = Serdes.AGGREGATE_TASK.fromBytes(r.value());
        Trace trace = traces.get(a.getRequestId());
        if (trace != null) {
          trace.aggregateTask = r.timestamp();
        }
      } else if (topic.equals(Topics.ANSWERS.name())) {
        FinalAnswer a = Serdes.FINAL_ANSWER.fromBytes(r.value());
        Trace trace = traces.get(a.getRequestId());
        if (trace != null && a.getAggregator() != null) {
          trace.answer = r.timestamp();
          trace.aggregatorCall = a.getAggregator().getLatencyMs();
        }
      }
    } catch (RuntimeException e) {
      // Not a record of this benchmark (e.g. another test's deliberate poison record).
    }
  }
}
