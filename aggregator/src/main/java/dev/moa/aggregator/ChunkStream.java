package dev.moa.aggregator;

import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.topic.Topics;
import dev.moa.provider.StreamListener;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes one aggregator call's content deltas as AnswerChunks (key = request id, seq 0, 1, 2,
 * ...; a last chunk with {@code done=true}). Live view only: not transactional, and a chunk that
 * cannot be sent is dropped. When a retried attempt starts after deltas were sent, seq restarts at
 * 0: a reader seeing seq 0 again discards what it had (the same happens when a task is redelivered
 * after a crash).
 */
final class ChunkStream implements StreamListener {

  private static final Logger log = LoggerFactory.getLogger(ChunkStream.class);

  private final String requestId;
  private final KafkaTemplate<String, AnswerChunk> chunks;
  private final AtomicInteger seq = new AtomicInteger();

  ChunkStream(String requestId, KafkaTemplate<String, AnswerChunk> chunks) {
    this.requestId = requestId;
    this.chunks = chunks;
  }

  @Override
  public void onAttemptStart(int attempt) {
    if (attempt > 1) {
      seq.set(0);
    }
  }

  @Override
  public void onDelta(String delta) {
    send(delta, false);
  }

  /** The closing chunk; call once the call finished, whatever its outcome. */
  void done() {
    send("", true);
  }

  private void send(String delta, boolean done) {
    AnswerChunk chunk = new AnswerChunk(requestId, seq.getAndIncrement(), delta, done);
    try {
      chunks
          .send(Topics.ANSWER_CHUNKS.name(), requestId, chunk)
          .whenComplete(
              (ok, e) -> {
                if (e != null) {
                  log.debug("answer chunk of {} dropped: {}", requestId, e.toString());
                }
              });
    } catch (RuntimeException e) {
      log.debug("answer chunk of {} dropped: {}", requestId, e.toString());
    }
  }
}
