package dev.moa.runtime.answers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moa.protocol.avro.AnswerChunk;
import dev.moa.protocol.avro.AnswerStatus;
import dev.moa.protocol.avro.FinalAnswer;
import dev.moa.protocol.avro.Usage;
import dev.moa.protocol.topic.Topics;
import dev.moa.runtime.kafka.KafkaSettings;
import dev.moa.runtime.testing.BrokerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link AnswerFollower} on the real broker and the real answer topics. */
class AnswerFollowerIT {

  static KafkaSettings settings;
  static KafkaProducer<String, AnswerChunk> chunks;
  static KafkaProducer<String, FinalAnswer> answers;
  static KafkaProducer<String, byte[]> raw;
  static AnswerFollower follower;

  @BeforeAll
  static void start() {
    settings = BrokerSettings.withTopics();
    chunks = settings.producerFor(Topics.ANSWER_CHUNKS, "follower-it-chunks");
    answers = settings.producerFor(Topics.ANSWERS, "follower-it-answers");
    raw = BrokerSettings.rawProducer(settings, "follower-it-raw");
    follower = new AnswerFollower(settings, "follower-it", Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    follower.close();
    chunks.close();
    answers.close();
    raw.close();
  }

  @Test
  void chunksThenTheAnswerReachTheFollowerOfThatRequestOnly() throws Exception {
    String mine = "follow-" + UUID.randomUUID();
    String other = "follow-" + UUID.randomUUID();
    Recorder recorder = new Recorder();
    Recorder otherRecorder = new Recorder();
    follower.follow(mine, recorder);
    follower.follow(other, otherRecorder);

    send(chunks, Topics.ANSWER_CHUNKS.name(), mine, new AnswerChunk(mine, 0, "Par", false));
    // Poison under a followed key is skipped; the real records after it still arrive.
    raw.send(
            new ProducerRecord<>(
                Topics.ANSWER_CHUNKS.name(), mine, "not avro".getBytes(StandardCharsets.UTF_8)))
        .get(10, TimeUnit.SECONDS);
    raw.send(
            new ProducerRecord<>(
                Topics.ANSWERS.name(), mine, "not avro".getBytes(StandardCharsets.UTF_8)))
        .get(10, TimeUnit.SECONDS);
    send(chunks, Topics.ANSWER_CHUNKS.name(), mine, new AnswerChunk(mine, 1, "is.", false));
    send(answers, Topics.ANSWERS.name(), mine, answer(mine, "Paris."));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> recorder.answers.size() == 1 && recorder.chunks.size() == 2);
    assertThat(recorder.chunks).extracting(AnswerChunk::getDelta).containsExactly("Par", "is.");
    assertThat(recorder.answers.get(0).getAnswer()).isEqualTo("Paris.");
    assertThat(otherRecorder.chunks).isEmpty();
    assertThat(otherRecorder.answers).isEmpty();

    // The subscription ended with the answer: a second answer under the key is not delivered.
    send(answers, Topics.ANSWERS.name(), mine, answer(mine, "again"));
    send(answers, Topics.ANSWERS.name(), other, answer(other, "theirs"));
    await().atMost(Duration.ofSeconds(30)).until(() -> otherRecorder.answers.size() == 1);
    assertThat(recorder.answers).hasSize(1);
  }

  @Test
  void aClosedSubscriptionGetsNothingMore() throws Exception {
    String id = "follow-" + UUID.randomUUID();
    Recorder gone = new Recorder();
    Recorder stays = new Recorder();
    AnswerFollower.Subscription subscription = follower.follow(id, gone);
    follower.follow(id, stays);

    subscription.close();
    send(chunks, Topics.ANSWER_CHUNKS.name(), id, new AnswerChunk(id, 0, "x", false));
    send(answers, Topics.ANSWERS.name(), id, answer(id, "x"));

    await().atMost(Duration.ofSeconds(30)).until(() -> stays.answers.size() == 1);
    assertThat(gone.chunks).isEmpty();
    assertThat(gone.answers).isEmpty();
    assertThat(stays.chunks).hasSize(1);
  }

  private static <V> void send(KafkaProducer<String, V> producer, String topic, String key, V v)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key, v)).get(10, TimeUnit.SECONDS);
  }

  private static FinalAnswer answer(String id, String text) {
    return FinalAnswer.newBuilder()
        .setRequestId(id)
        .setConfigName("it")
        .setStatus(AnswerStatus.SUCCEEDED)
        .setAnswer(text)
        .setUsage(new Usage(1, 2))
        .setCompletedAtMs(System.currentTimeMillis())
        .build();
  }

  static final class Recorder implements AnswerListener {
    final List<AnswerChunk> chunks = new CopyOnWriteArrayList<>();
    final List<FinalAnswer> answers = new CopyOnWriteArrayList<>();

    @Override
    public void onChunk(AnswerChunk chunk) {
      chunks.add(chunk);
    }

    @Override
    public void onAnswer(FinalAnswer answer) {
      answers.add(answer);
    }
  }
}
