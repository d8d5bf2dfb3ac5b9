package dev.moa.runtime.answers;

import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.FinalAnswer;

/**
 * Receives one request's live chunks and then its committed final answer. Called on the follower's
 * poll thread: hand the values on (to a queue or a reactive sink) and return quickly.
 */
public interface AnswerListener {

  /**
   * A live chunk of the aggregator's stream. Chunks are not transactional: a chunk may be missing,
   * and {@code seq == 0} after earlier chunks means a retried call starts over.
   */
  void onChunk(AnswerChunk chunk);

  /**
   * The request's one committed final answer (read_committed). Called at most once; the
   * subscription ends with it. It may come before the last chunks: the answer is the truth.
   */
  void onAnswer(FinalAnswer answer);
}
