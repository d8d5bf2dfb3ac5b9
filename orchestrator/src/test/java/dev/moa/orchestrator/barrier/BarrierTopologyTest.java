package dev.moa.orchestrator.barrier;

import static dev.moa.orchestrator.barrier.Fixtures.config;
import static dev.moa.orchestrator.barrier.Fixtures.failed;
import static dev.moa.orchestrator.barrier.Fixtures.ok;
import static dev.moa.orchestrator.barrier.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RunState;
import dev.moa.protocol.avro.RunStatus;
import dev.moa.protocol.serde.InvalidRecordException;
import dev.moa.protocol.serde.Serdes;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.consume.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BarrierTopologyTest {

  private TopologyTestDriver driver;
  private TestInputTopic<String, MoaRequest> requests;
  private TestInputTopic<String, AgentResult> results;
  private TestOutputTopic<String, AgentTask> tasks;
  private TestOutputTopic<String, AggregateTask> aggregates;
  private TestOutputTopic<String, FinalAnswer> answers;

  @BeforeEach
  void setUp() throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "barrier-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("barrier-test").toString());
    driver =
        new TopologyTestDriver(
            BarrierTopology.build(new Barrier(Duration.ofHours(1)), Duration.ofSeconds(1)),
            props,
            Instant.ofEpochMilli(10_000));
    requests =
        driver.createInputTopic(
            Topics.REQUESTS.name(), new StringSerializer(), Serdes.REQUEST.serializer());
    results =
        driver.createInputTopic(
            Topics.AGENT_RESULTS.name(), new StringSerializer(), Serdes.AGENT_RESULT.serializer());
    tasks =
        driver.createOutputTopic(
            Topics.AGENT_TASKS.name(), new StringDeserializer(), Serdes.AGENT_TASK.deserializer());
    aggregates =
        driver.createOutputTopic(
            Topics.AGGREGATE_TASKS.name(),
            new StringDeserializer(),
            Serdes.AGGREGATE_TASK.deserializer());
    answers =
        driver.createOutputTopic(
            Topics.ANSWERS.name(), new StringDeserializer(), Serdes.FINAL_ANSWER.deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  @Test
  void requestFlowsThroughEveryLayerToExactlyOneAggregateTask() {
    requests.pipeInput("r1", request("r1", config(2, 3, 1, 0)));
    List<AgentTask> layer1 = tasks.readValuesToList();
    assertThat(layer1)
        .extracting(AgentTask::getTaskId)
        .containsExactly("r1:L1:A0", "r1:L1:A1", "r1:L1:A2");
    assertThat(tasks.isEmpty()).isTrue();

    for (AgentTask t : layer1) {
      results.pipeInput("r1", ok(t, "answer " + t.getAgentIndex()));
      results.pipeInput("r1", ok(t, "redelivered")); // duplicates change nothing
    }
    List<AgentTask> layer2 = tasks.readValuesToList();
    assertThat(layer2).hasSize(3).allMatch(t -> t.getLayer() == 2);
    assertThat(layer2.get(0).getMessages().get(0).getContent())
        .contains("\n1. answer 0\n2. answer 1\n3. answer 2");

    for (AgentTask t : layer2) {
      results.pipeInput("r1", ok(t, "refined " + t.getAgentIndex()));
    }
    for (AgentTask t : layer2) {
      results.pipeInput("r1", ok(t, "late duplicate"));
    }
    List<AggregateTask> aggs = aggregates.readValuesToList();
    assertThat(aggs).hasSize(1);
    assertThat(aggs.get(0).getLayers()).hasSize(2);
    assertThat(tasks.isEmpty()).isTrue();
    assertThat(answers.isEmpty()).isTrue();

    requests.pipeInput("r1", request("r1", config(2, 3, 1, 0)));
    assertThat(tasks.isEmpty()).isTrue();
  }

  @Test
  void tasksAreKeyedByTaskIdSoTheySpreadOverPartitions() {
    requests.pipeInput("r2", request("r2", config(1, 2, 1, 0)));
    assertThat(tasks.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .containsExactly("r2:L1:A0", "r2:L1:A1");
  }

  @Test
  void wallClockDeadlineCompletesALayerThatIsMissingResults() {
    requests.pipeInput("r3", request("r3", config(1, 2, 1, 5_000)));
    List<AgentTask> layer1 = tasks.readValuesToList();
    results.pipeInput("r3", failed(layer1.get(0), "http_5xx", "down"));

    driver.advanceWallClockTime(Duration.ofSeconds(4));
    assertThat(answers.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(2));

    FinalAnswer answer = answers.readValue();
    assertThat(answer.getStatus()).isEqualTo(AnswerStatus.FAILED);
    assertThat(answer.getError())
        .contains("0 of 2 agents succeeded", "a1: http_5xx: down", "a2: timeout");
    assertThat(aggregates.isEmpty()).isTrue();
  }

  @Test
  void resultsForUnknownRequestsAreIgnored() {
    requests.pipeInput("r4", request("r4", config(1, 1, 1, 0)));
    AgentTask t = tasks.readValue();
    AgentTask foreign =
        AgentTask.newBuilder(t).setRequestId("nope").setTaskId("nope:L1:A0").build();
    results.pipeInput("nope", ok(foreign, "x"));
    assertThat(aggregates.isEmpty()).isTrue();
    assertThat(answers.isEmpty()).isTrue();
  }

  private TestInputTopic<String, RunState> runs() {
    return driver.createInputTopic(
        Topics.RUNS.name(), new StringSerializer(), Serdes.RUN_STATE.serializer());
  }

  private static MoaRequest inRun(String id, String run) {
    MoaRequest r = request(id, config(2, 2, 1, 0));
    r.setRunId(run);
    return r;
  }

  private static RunState run(String id, RunStatus status) {
    return RunState.newBuilder()
        .setRunId(id)
        .setStatus(status)
        .setReason(status == RunStatus.CANCELLED ? "by test" : null)
        .setUpdatedAtMs(1)
        .build();
  }

  @Test
  void cancellingARunStopsItsRequestsAndLeavesOtherRunsAlone() {
    TestInputTopic<String, RunState> runs = runs();
    runs.pipeInput("run-a", run("run-a", RunStatus.RUNNING));
    requests.pipeInput("a1", inRun("a1", "run-a"));
    requests.pipeInput("b1", inRun("b1", "run-b"));
    List<AgentTask> layer1 = tasks.readValuesToList();
    assertThat(layer1).hasSize(4);

    runs.pipeInput("run-a", run("run-a", RunStatus.CANCELLED));
    // The next event for a1 (one of its results) ends it; b1 goes on.
    for (AgentTask t : layer1) {
      results.pipeInput(t.getRequestId(), ok(t, "x"));
    }
    List<AgentTask> next = tasks.readValuesToList();
    assertThat(next).extracting(AgentTask::getRequestId).containsOnly("b1").hasSize(2);
    List<FinalAnswer> ended = answers.readValuesToList();
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).getRequestId()).isEqualTo("a1");
    assertThat(ended.get(0).getStatus()).isEqualTo(AnswerStatus.CANCELLED);
    assertThat(ended.get(0).getError()).contains("run-a was cancelled (by test)");

    // A request of the cancelled run that arrives later starts nothing.
    requests.pipeInput("a2", inRun("a2", "run-a"));
    assertThat(tasks.isEmpty()).isTrue();
    assertThat(answers.readValuesToList())
        .singleElement()
        .satisfies(a -> assertThat(a.getStatus()).isEqualTo(AnswerStatus.CANCELLED));
  }

  @Test
  void aCancelledRequestWaitingForSlowCallsEndsAtTheNextTick() {
    runs().pipeInput("run-c", run("run-c", RunStatus.RUNNING));
    requests.pipeInput("c1", inRun("c1", "run-c"));
    assertThat(tasks.readValuesToList()).hasSize(2);
    runs().pipeInput("run-c", run("run-c", RunStatus.CANCELLED));
    assertThat(answers.isEmpty()).isTrue();

    driver.advanceWallClockTime(Duration.ofSeconds(2));

    assertThat(answers.readValuesToList())
        .singleElement()
        .satisfies(a -> assertThat(a.getStatus()).isEqualTo(AnswerStatus.CANCELLED));
    assertThat(tasks.isEmpty()).isTrue();
  }

  /** Raw access below the barrier store's serde, as an older release's bytes would sit there. */
  @SuppressWarnings("unchecked")
  private org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>
      rawStore() {
    org.apache.kafka.streams.processor.StateStore s =
        driver.getAllStateStores().get(BarrierTopology.STORE);
    while (s instanceof org.apache.kafka.streams.state.internals.WrappedStateStore<?, ?, ?> w) {
      s = w.wrapped();
    }
    return (org.apache.kafka.streams.state.KeyValueStore<
            org.apache.kafka.common.utils.Bytes, byte[]>)
        s;
  }

  @Test
  void anUndecodableStateIsDroppedAndThePartitionGoesOn() {
    var bad = org.apache.kafka.common.utils.Bytes.wrap("r-old".getBytes());
    rawStore().put(bad, new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    assertThat(driver.getKeyValueStore(BarrierTopology.STORE).get("r-old")).isNull();

    driver.advanceWallClockTime(Duration.ofSeconds(2));
    assertThat(rawStore().get(bad)).as("dropped by the tick").isNull();

    requests.pipeInput("r1", request("r1", config(1, 2, 1, 0)));
    assertThat(tasks.readValuesToList()).hasSize(2);
  }

  private TestInputTopic<String, byte[]> raw(String topic) {
    return driver.createInputTopic(topic, new StringSerializer(), new ByteArraySerializer());
  }

  private TestOutputTopic<String, byte[]> deadLetters(String topic) {
    return driver.createOutputTopic(topic, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static String header(TestRecord<String, byte[]> r, String key) {
    return DeadLetters.header(r.headers(), key);
  }

  @Test
  void poisonRequestsGoToTheRequestsDltWithTheirBytesAndHeadersAndTheNextRequestRuns() {
    byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
    MoaRequest noLayers = request("r-bad", config(1, 2, 1, 0));
    noLayers.getConfig().setLayers(List.of());
    byte[] impossible = Serdes.REQUEST.toBytes(noLayers);
    Headers original = new RecordHeaders().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));

    raw(Topics.REQUESTS.name())
        .pipeInput(new TestRecord<>("poison", garbage, original, Instant.ofEpochMilli(10_000)));
    raw(Topics.REQUESTS.name()).pipeInput("poison", impossible);
    raw(Topics.REQUESTS.name()).pipeInput("poison", (byte[]) null);
    requests.pipeInput("r1", request("r1", config(1, 2, 1, 0)));

    List<TestRecord<String, byte[]>> dead =
        deadLetters(Topics.REQUESTS.dltName()).readRecordsToList();
    assertThat(dead).hasSize(3);
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    assertThat(dead.get(0).key()).isEqualTo("poison");
    assertThat(header(dead.get(0), "trace")).isEqualTo("t-1");
    assertThat(header(dead.get(0), DeadLetters.HEADER_EXCEPTION_CLASS))
        .isEqualTo("org.apache.kafka.common.errors.SerializationException");
    assertThat(header(dead.get(0), DeadLetters.HEADER_EXCEPTION_MESSAGE))
        .startsWith("cannot decode MoaRequest (8 bytes)");
    assertThat(header(dead.get(0), DeadLetters.HEADER_ORIGINAL_TOPIC))
        .isEqualTo(Topics.REQUESTS.name());
    assertThat(header(dead.get(0), DeadLetters.HEADER_ORIGINAL_OFFSET)).isEqualTo("0");
    assertThat(dead.get(1).value()).isEqualTo(impossible);
    assertThat(header(dead.get(1), DeadLetters.HEADER_EXCEPTION_CLASS))
        .isEqualTo(InvalidRecordException.class.getName());
    assertThat(header(dead.get(1), DeadLetters.HEADER_EXCEPTION_MESSAGE))
        .isEqualTo("MoaRequest.config.layers: '[]' must hold at least one layer");
    assertThat(dead.get(2).value()).isNull();
    assertThat(header(dead.get(2), DeadLetters.HEADER_EXCEPTION_MESSAGE))
        .isEqualTo("record has no value");
    assertThat(tasks.readValuesToList()).hasSize(2).allMatch(t -> t.getRequestId().equals("r1"));
  }

  @Test
  void poisonResultsGoToTheResultsDltAndDoNotDisturbTheLayer() {
    requests.pipeInput("r1", request("r1", config(1, 2, 1, 0)));
    List<AgentTask> layer = tasks.readValuesToList();
    AgentResult negative = ok(layer.get(0), "x");
    negative.setLayer(-1);
    byte[] truncated =
        java.util.Arrays.copyOf(Serdes.AGENT_RESULT.toBytes(ok(layer.get(0), "x")), 12);

    raw(Topics.AGENT_RESULTS.name()).pipeInput("poison", Serdes.AGENT_RESULT.toBytes(negative));
    raw(Topics.AGENT_RESULTS.name()).pipeInput("poison", truncated);
    for (AgentTask t : layer) {
      results.pipeInput("r1", ok(t, "fine"));
    }

    List<TestRecord<String, byte[]>> dead =
        deadLetters(Topics.AGENT_RESULTS.dltName()).readRecordsToList();
    assertThat(dead).hasSize(2);
    assertThat(header(dead.get(0), DeadLetters.HEADER_EXCEPTION_MESSAGE))
        .isEqualTo("AgentResult.layer: -1 must be >= 0");
    assertThat(dead.get(1).value()).isEqualTo(truncated);
    assertThat(header(dead.get(1), DeadLetters.HEADER_EXCEPTION_MESSAGE))
        .startsWith("cannot decode AgentResult (12 bytes)");
    assertThat(aggregates.readValuesToList()).singleElement();
  }

  @Test
  void poisonOnTheRunsTopicIsSkippedAndALaterCancellationStillApplies() {
    raw(Topics.RUNS.name()).pipeInput("run-p", "garbage".getBytes(StandardCharsets.UTF_8));
    RunState impossible = run("run-p", RunStatus.CANCELLED);
    impossible.setTotal(-1);
    runs().pipeInput("run-p", impossible);
    requests.pipeInput("p1", inRun("p1", "run-p"));
    assertThat(tasks.readValuesToList()).as("the impossible cancellation was skipped").hasSize(2);

    runs().pipeInput("run-p", run("run-p", RunStatus.CANCELLED));
    requests.pipeInput("p2", inRun("p2", "run-p"));

    assertThat(tasks.isEmpty()).isTrue();
    assertThat(answers.readValuesToList()).extracting(FinalAnswer::getRequestId).contains("p2");
  }
}
