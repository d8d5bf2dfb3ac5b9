package dev.moa.protocol.serde;

import dev.moa.protocol.avro.AgentResult;
import dev.moa.protocol.avro.AgentTask;
import dev.moa.protocol.avro.AggregateTask;
import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.CachedResponse;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Grade;
import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.avro.RequestState;
import dev.moa.protocol.avro.RunState;

/** One serde instance per record type, each able to read every historical writer schema. */
public final class Serdes {

  static {
    AvroTrust.install();
  }

  public static final AvroSerde<MoaRequest> REQUEST =
      new AvroSerde<>(
          MoaRequest.class,
          MoaRequest.getEncoder(),
          MoaRequest.createDecoder(SchemaHistory.store(MoaRequest.getClassSchema())));
  public static final AvroSerde<AgentTask> AGENT_TASK =
      new AvroSerde<>(
          AgentTask.class,
          AgentTask.getEncoder(),
          AgentTask.createDecoder(SchemaHistory.store(AgentTask.getClassSchema())));
  public static final AvroSerde<AgentResult> AGENT_RESULT =
      new AvroSerde<>(
          AgentResult.class,
          AgentResult.getEncoder(),
          AgentResult.createDecoder(SchemaHistory.store(AgentResult.getClassSchema())));
  public static final AvroSerde<AggregateTask> AGGREGATE_TASK =
      new AvroSerde<>(
          AggregateTask.class,
          AggregateTask.getEncoder(),
          AggregateTask.createDecoder(SchemaHistory.store(AggregateTask.getClassSchema())));
  public static final AvroSerde<FinalAnswer> FINAL_ANSWER =
      new AvroSerde<>(
          FinalAnswer.class,
          FinalAnswer.getEncoder(),
          FinalAnswer.createDecoder(SchemaHistory.store(FinalAnswer.getClassSchema())));
  public static final AvroSerde<AnswerChunk> ANSWER_CHUNK =
      new AvroSerde<>(
          AnswerChunk.class,
          AnswerChunk.getEncoder(),
          AnswerChunk.createDecoder(SchemaHistory.store(AnswerChunk.getClassSchema())));
  public static final AvroSerde<Grade> GRADE =
      new AvroSerde<>(
          Grade.class,
          Grade.getEncoder(),
          Grade.createDecoder(SchemaHistory.store(Grade.getClassSchema())));
  public static final AvroSerde<RequestState> REQUEST_STATE =
      new AvroSerde<>(
          RequestState.class,
          RequestState.getEncoder(),
          RequestState.createDecoder(SchemaHistory.store(RequestState.getClassSchema())));
  public static final AvroSerde<RunState> RUN_STATE =
      new AvroSerde<>(
          RunState.class,
          RunState.getEncoder(),
          RunState.createDecoder(SchemaHistory.store(RunState.getClassSchema())));
  public static final AvroSerde<CachedResponse> CACHED_RESPONSE =
      new AvroSerde<>(
          CachedResponse.class,
          CachedResponse.getEncoder(),
          CachedResponse.createDecoder(SchemaHistory.store(CachedResponse.getClassSchema())));

  private Serdes() {}
}
