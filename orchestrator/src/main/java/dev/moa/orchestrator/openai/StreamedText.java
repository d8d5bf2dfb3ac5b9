package dev.moa.orchestrator.openai;

import dev.moa.protocol.avro.AnswerChunk;

/**
 * What of the aggregator's live chunks may still go to an SSE client, which can never take text
 * back. A retried aggregator call restarts at {@code seq 0}; its text is sent on only past what was
 * already sent, and only while it agrees with it. The final answer is the truth: {@link #remainder}
 * is what it adds to the text sent.
 */
final class StreamedText {

  private final StringBuilder sent = new StringBuilder();
  private final StringBuilder attempt = new StringBuilder();
  private int nextSeq;

  /** The text to send for this chunk ("" when nothing new). */
  String onChunk(AnswerChunk chunk) {
    if (chunk.getSeq() == 0) {
      attempt.setLength(0);
    } else if (chunk.getSeq() != nextSeq || nextSeq < 0) {
      // A chunk was lost: this attempt's text has a gap, wait for the final answer.
      nextSeq = -1;
      return "";
    }
    nextSeq = chunk.getSeq() + 1;
    attempt.append(chunk.getDelta());
    if (attempt.length() <= sent.length() || !startsWith(attempt, sent)) {
      return "";
    }
    String delta = attempt.substring(sent.length());
    sent.append(delta);
    return delta;
  }

  /**
   * What the final answer adds to the text sent; the whole answer when nothing was sent, "" when
   * the sent text is not its beginning (a retry diverged: the client keeps what it got).
   */
  String remainder(String answer) {
    if (!answer.startsWith(sent.toString())) {
      return "";
    }
    return answer.substring(sent.length());
  }

  /** Whether the text sent is exactly the answer once the remainder is added. */
  boolean agreesWith(String answer) {
    return answer.startsWith(sent.toString());
  }

  private static boolean startsWith(StringBuilder text, StringBuilder prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (text.charAt(i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
