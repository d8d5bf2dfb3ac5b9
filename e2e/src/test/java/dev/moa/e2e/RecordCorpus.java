package dev.moa.e2e;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.CallStatus;
import dev.moa.protocol.avro.CallTimings;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.request.TaskFactory;
import dev.moa.protocol.serde.AvroSerde;
import dev.moa.protocol.serde.RecordChecks;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The raw-Kafka-record corpus ({@code src/test/resources/corpus/kafka-records.jsonl}): one line per
 * poison record for one topic, of one kind:
 *
 * <ul>
 *   <li>{@code undecodable}: {@code text} (UTF-8), {@code hex}, {@code truncate} (the first N bytes
 *       of a good record) or {@code null} (no value at all);
 *   <li>{@code unknown-fingerprint}: a good record whose 8-byte schema fingerprint is replaced by
 *       {@code fingerprint}, or a good record of the topic named by {@code as};
 *   <li>{@code impossible}: valid Avro, a good record with the fields of {@code set} (paths such as
 *       {@code config.layers[0].agents}) changed to impossible values.
 * </ul>
 *
 * {@code expect} is what the consumer's exception (in the dead letter's {@code
 * moa.dlt.exception-message}) must contain.
 */
final class RecordCorpus {

  static final Path FILE = Path.of("src/test/resources/corpus/kafka-records.jsonl");

  record Entry(String name, String topic, String kind, byte[] value, String expect) {
    @Override
    public String toString() {
      return name;
    }
  }

  private RecordCorpus() {}

  static List<Entry> entries() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Entry> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(FILE, StandardCharsets.UTF_8)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode e = json.readTree(line);
      String topic = e.get("topic").asString();
      try {
        out.add(
            new Entry(
                e.get("name").asString(),
                topic,
                e.get("kind").asString(),
                value(e, topic),
                e.get("expect").asString()));
      } catch (RuntimeException ex) {
        throw new IllegalArgumentException(FILE + " line " + lineNo + ": " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  private static byte[] value(JsonNode e, String topic) {
    if (e.has("null")) {
      return null;
    }
    if (e.has("text")) {
      return e.get("text").asString().getBytes(StandardCharsets.UTF_8);
    }
    if (e.has("hex")) {
      return HexFormat.of().parseHex(e.get("hex").asString());
    }
    if (e.has("truncate")) {
      byte[] good = encode(base(topic));
      return java.util.Arrays.copyOf(good, e.get("truncate").asInt());
    }
    if (e.has("fingerprint")) {
      byte[] bytes = encode(base(topic));
      byte[] fp = HexFormat.of().parseHex(e.get("fingerprint").asString());
      System.arraycopy(fp, 0, bytes, 2, 8); // after the C3 01 marker
      return bytes;
    }
    if (e.has("as")) {
      return encode(base(e.get("as").asString()));
    }
    if (e.has("set")) {
      SpecificRecordBase record = base(topic);
      for (Map.Entry<String, JsonNode> set : e.get("set").properties()) {
        set(record, set.getKey(), set.getValue());
      }
      return encode(record);
    }
    throw new IllegalArgumentException(
        "no value given (text, hex, truncate, fingerprint, as, set)");
  }

  /** The consumer-side serde of a topic: what its consumers decode (and check) with. */
  static AvroSerde<? extends SpecificRecord> consumerSerde(String topic) {
    return switch (topic) {
      case "moa.requests" -> RecordChecks.checked(Serdes.REQUEST);
      case "moa.agent-tasks" -> RecordChecks.checked(Serdes.AGENT_TASK);
      case "moa.agent-results" -> RecordChecks.checked(Serdes.AGENT_RESULT);
      case "moa.aggregate-tasks" -> RecordChecks.checked(Serdes.AGGREGATE_TASK);
      case "moa.answers" -> RecordChecks.checked(Serdes.FINAL_ANSWER);
      case "moa.runs" -> RecordChecks.checked(Serdes.RUN_STATE);
      default -> throw new IllegalArgumentException("no consumer serde for topic " + topic);
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static byte[] encode(SpecificRecordBase record) {
    for (AvroSerde serde :
        List.of(
            Serdes.REQUEST,
            Serdes.AGENT_TASK,
            Serdes.AGENT_RESULT,
            Serdes.AGGREGATE_TASK,
            Serdes.FINAL_ANSWER,
            Serdes.RUN_STATE)) {
      if (serde.type() == record.getClass()) {
        return serde.toBytes(record);
      }
    }
    throw new IllegalArgumentException(record.getClass().getName());
  }

  /** A good record of the topic: every consumer accepts it. */
  static SpecificRecordBase base(String topic) {
    MoaRequest request = request();
    long now = 1_700_000_000_000L;
    return switch (topic) {
      case "moa.requests" -> request;
      case "moa.agent-tasks" -> TaskFactory.layerTasks(request, 1, "", now).get(0);
      case "moa.agent-results" -> result(TaskFactory.layerTasks(request, 1, "", now).get(0));
      case "moa.aggregate-tasks" ->
          AggregateTask.newBuilder()
              .setRequestId(request.getRequestId())
              .setConfigName(request.getConfig().getName())
              .setCall(TaskFactory.aggregatorTask(request, "", now))
              .setLayers(List.of())
              .setSubmittedAtMs(now)
              .build();
      case "moa.answers" ->
          FinalAnswer.newBuilder()
              .setRequestId(request.getRequestId())
              .setStatus(AnswerStatus.SUCCEEDED)
              .setAnswer("a poison corpus answer")
              .setUsage(new Usage(1, 1))
              .setCompletedAtMs(now)
              .build();
      case "moa.runs" ->
          RunState.newBuilder()
              .setRunId("corpus-run")
              .setStatus(RunStatus.RUNNING)
              .setUpdatedAtMs(now)
              .build();
      default -> throw new IllegalArgumentException("no base record for topic " + topic);
    };
  }

  private static MoaRequest request() {
    try {
      var config =
          ConfigLoader.parse(
              """
              name: corpus
              layers: 1
              agents:
                - {name: a, model: m-a, provider: simulator, max_tokens: 16}
                - {name: b, model: m-b, provider: simulator, max_tokens: 16}
              aggregator: {model: m-agg, provider: simulator, max_tokens: 16}
              """,
              "corpus.yaml");
      var providers = ProviderResolver.resolve(config, k -> null, "http://127.0.0.1:9/v1");
      return RequestFactory.question(
          RequestFactory.snapshot(config, providers),
          "corpus question",
          null,
          1_700_000_000_000L,
          Map.of());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static AgentResult result(AgentTask task) {
    return AgentResult.newBuilder()
        .setTaskId(task.getTaskId())
        .setRequestId(task.getRequestId())
        .setLayer(task.getLayer())
        .setAgentIndex(task.getAgentIndex())
        .setAgentName(task.getAgentName())
        .setModel(task.getModel())
        .setProvider(task.getProvider().getName())
        .setStatus(CallStatus.SUCCEEDED)
        .setContent("corpus content")
        .setUsage(new Usage(3, 4))
        .setTimings(CallTimings.newBuilder().build())
        .setCompletedAtMs(1_700_000_000_000L)
        .build();
  }

  /** Sets {@code path} (dots, optional {@code [i]} list indexes) to {@code value}. */
  private static void set(SpecificRecordBase root, String path, JsonNode value) {
    Object current = root;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      Integer index = null;
      int bracket = part.indexOf('[');
      if (bracket >= 0) {
        index = Integer.parseInt(part.substring(bracket + 1, part.indexOf(']')));
        part = part.substring(0, bracket);
      }
      SpecificRecordBase record = (SpecificRecordBase) current;
      Schema.Field field = record.getSchema().getField(part);
      if (field == null) {
        throw new IllegalArgumentException("no field '" + part + "' in " + path);
      }
      boolean last = i == parts.length - 1;
      if (last && index == null) {
        record.put(field.pos(), convert(field.schema(), value));
        return;
      }
      Object child = record.get(field.pos());
      if (index != null) {
        List<Object> list = new ArrayList<>((List<?>) child);
        record.put(field.pos(), list);
        if (last) {
          list.set(index, convert(field.schema().getElementType(), value));
          return;
        }
        child = list.get(index);
      }
      current = child;
    }
  }

  private static Object convert(Schema schema, JsonNode value) {
    if (schema.getType() == Schema.Type.UNION) {
      for (Schema branch : schema.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return value.isNull() ? null : convert(branch, value);
        }
      }
    }
    return switch (schema.getType()) {
      case STRING -> value.asString();
      case INT -> value.asInt();
      case LONG -> value.asLong();
      case DOUBLE -> value.asDouble();
      case BOOLEAN -> value.asBoolean();
      case ENUM -> SpecificData.get().createEnum(value.asString(), schema);
      case ARRAY -> {
        if (!value.isEmpty()) {
          throw new IllegalArgumentException("only [] is supported for arrays, got " + value);
        }
        yield new ArrayList<>();
      }
      default -> throw new IllegalArgumentException("cannot set a " + schema.getType());
    };
  }

  static String dltName(String topic) {
    return Topics.WITH_DLT.stream()
        .filter(t -> t.name().equals(topic))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(topic + " has no dead-letter topic"))
        .dltName();
  }
}
