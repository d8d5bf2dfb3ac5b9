package dev.moa.simulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic pseudo-English answers. The same (model, messages, temperature, seed) always gives
 * the same text; one word is one token. Pure: no I/O, no clock, no shared state.
 *
 * <p>A judge prompt (a system message asking for a final {@code Score: N} line, as the graders'
 * {@code judge} grader writes it) gets the same kind of text ending with a verdict line {@code
 * Score: N}, N from 1 to 10 derived from the same hash, so a simulated judge gives parseable,
 * deterministic verdicts.
 */
public final class TextGenerator {

  public static final int MIN_TOKENS = 30;
  public static final int MAX_TOKENS = 160;

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}'_-]*");

  private static final String[] VOCABULARY =
      ("the of and to in is that it for as with was on be by this are or from at an but not have"
              + " which one all can their has more other were been when there would its will about"
              + " into than them some these could only time new also two may first any over such"
              + " after most made between many where system through those should each well while"
              + " because every both under value data model result process approach question answer"
              + " point case example part number fact idea way method structure design service"
              + " request response message stream token layer agent worker graph topic partition"
              + " record event state change level order group cluster node queue batch buffer cache"
              + " signal pattern problem solution reason context detail factor feature option"
              + " version step stage phase task goal plan review check test measure estimate range"
              + " limit rate cost price market energy water light sound heat power force motion"
              + " speed distance weight volume surface shape color line circle square angle"
              + " history culture language music science theory practice evidence argument"
              + " principle rule law policy decision choice balance risk benefit effect impact"
              + " growth trend source resource network protocol channel format field schema"
              + " clear simple complex careful useful important common general specific different"
              + " similar likely possible necessary typical reliable stable robust efficient"
              + " accurate consistent modern early recent large small long short high low strong"
              + " quick slow open closed direct indirect local global central basic main major"
              + " minor final initial usually often sometimes rarely generally typically clearly"
              + " simply mostly nearly quite rather perhaps therefore however instead although"
              + " consider explain describe compare combine improve reduce increase support provide"
              + " include require allow follow produce create build handle manage measure observe"
              + " suggest assume expect depend remain become appear seem help keep make take give"
              + " find show know think use see look work move run start stop send receive read"
              + " write store share learn understand means shows helps keeps makes needs works"
              + " depends remains becomes suggests requires allows produces creates improves"
              + " reduces increases supports provides includes follows people team user client"
              + " author reader expert engineer researcher community world city country region"
              + " company project product platform tool library framework")
          .split(" ");

  private static final String[] LEAD_INS = {"Regarding", "About", "Considering", "On"};

  /** What a judge prompt's system message asks for (the graders' JudgeGrader.VERDICT_FORMAT). */
  public static final String JUDGE_VERDICT_FORMAT = "Score: N";

  /** Tokens of the verdict line that ends a judge reply: {@code "\nScore:"} and {@code " N"}. */
  static final int VERDICT_TOKENS = 2;

  /**
   * What a critic prompt asks for (the protocol's CriticVerdict.FORMAT): its reply ends {@code
   * Verdict: ACCEPT} or {@code Verdict: REJECT}, each with probability 1/2 from the same hash, so a
   * seeded request rejects and accepts reproducibly.
   */
  public static final String CRITIC_VERDICT_FORMAT = "Verdict: ACCEPT";

  /** What a best-of-n judge prompt asks for: its reply ends {@code Best: N}. */
  public static final String BEST_PICK_FORMAT = "Best: N";

  private static final Pattern NUMBERED = Pattern.compile("(?m)^(\\d+)\\. ");

  private TextGenerator() {}

  /**
   * Generated answer: {@code tokens} concatenate to {@code text}; {@code finishReason} is {@code
   * length} when the natural answer was cut at max tokens, else {@code stop}.
   */
  public record Generated(List<String> tokens, String text, String finishReason) {
    public Generated {
      tokens = List.copyOf(tokens);
    }

    public int tokenCount() {
      return tokens.size();
    }
  }

  /**
   * The answer to a request. The first token is {@code "[simulated model <model>] "}; the rest are
   * words with their leading space and trailing punctuation. The natural length (30..160 tokens)
   * does not depend on {@code maxTokens}, so a capped answer is a prefix of the uncapped one. A
   * judge prompt's answer ends with the tokens {@code "\nScore:"} and {@code " N"} (N in 1..10).
   */
  public static Generated generate(
      String model,
      List<ReceivedCall.Message> messages,
      double temperature,
      Long seed,
      int maxTokens) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens: " + maxTokens + " must be >= 1");
    }
    SplittableRandom rnd = new SplittableRandom(hash(model, messages, temperature, seed));
    int natural = MIN_TOKENS + rnd.nextInt(MAX_TOKENS - MIN_TOKENS + 1);
    List<String> tokens = new ArrayList<>(natural);
    tokens.add("[simulated model " + model + "] ");
    List<String> words = new ArrayList<>();
    List<String> topic = topicWords(lastUserContent(messages), rnd);
    if (!topic.isEmpty()) {
      words.add(LEAD_INS[rnd.nextInt(LEAD_INS.length)]);
      words.addAll(topic);
      words.set(words.size() - 1, words.get(words.size() - 1) + ",");
    }
    boolean judge = isJudgePrompt(messages);
    boolean critic = systemContains(messages, CRITIC_VERDICT_FORMAT);
    int candidates = systemContains(messages, BEST_PICK_FORMAT) ? numberedItems(messages) : 0;
    int endTokens = judge || critic || candidates > 0 ? VERDICT_TOKENS : 0;
    int remaining = natural - 1 - words.size() - endTokens;
    boolean sentenceStart = words.isEmpty();
    while (remaining > 0) {
      int length = 5 + rnd.nextInt(10);
      // Avoid a dangling fragment of one to three words at the end.
      if (remaining - length < 4) {
        length = remaining;
      }
      int commaAt = length >= 8 && rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(length - 4) : -1;
      for (int i = 0; i < length; i++) {
        String w = VOCABULARY[rnd.nextInt(VOCABULARY.length)];
        if (i == 0 && sentenceStart) {
          w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
        }
        if (i == commaAt) {
          w += ",";
        }
        if (i == length - 1) {
          int p = rnd.nextInt(10);
          w += p == 0 ? "?" : p == 1 ? "!" : ".";
        }
        words.add(w);
      }
      sentenceStart = true;
      remaining -= length;
    }
    for (int i = 0; i < words.size(); i++) {
      tokens.add(i == 0 ? words.get(i) : " " + words.get(i));
    }
    if (judge) {
      tokens.add("\nScore:");
      tokens.add(" " + (1 + rnd.nextInt(10)));
    } else if (critic) {
      tokens.add("\nVerdict:");
      tokens.add(rnd.nextBoolean() ? " ACCEPT" : " REJECT");
    } else if (candidates > 0) {
      tokens.add("\nBest:");
      tokens.add(" " + (1 + rnd.nextInt(candidates)));
    }
    String finishReason = "stop";
    if (tokens.size() > maxTokens) {
      tokens = tokens.subList(0, maxTokens);
      finishReason = "length";
    }
    return new Generated(tokens, String.join("", tokens), finishReason);
  }

  /** True when a system message asks for a final {@value #JUDGE_VERDICT_FORMAT} line. */
  public static boolean isJudgePrompt(List<ReceivedCall.Message> messages) {
    return systemContains(messages, JUDGE_VERDICT_FORMAT);
  }

  private static boolean systemContains(List<ReceivedCall.Message> messages, String text) {
    for (ReceivedCall.Message m : messages) {
      if ("system".equals(m.role()) && m.content().contains(text)) {
        return true;
      }
    }
    return false;
  }

  /** The highest {@code N. } line number in the system messages (the numbered references). */
  private static int numberedItems(List<ReceivedCall.Message> messages) {
    int max = 0;
    for (ReceivedCall.Message m : messages) {
      if ("system".equals(m.role())) {
        Matcher matcher = NUMBERED.matcher(m.content());
        while (matcher.find()) {
          if (matcher.group(1).length() < 4) {
            max = Math.max(max, Integer.parseInt(matcher.group(1)));
          }
        }
      }
    }
    return Math.max(1, max);
  }

  /** Deterministic prompt size estimate: per message {@code ceil(length / 4) + 4}. */
  public static int promptTokens(List<ReceivedCall.Message> messages) {
    int total = 0;
    for (ReceivedCall.Message m : messages) {
      total += (m.content().length() + 3) / 4 + 4;
    }
    return total;
  }

  private static String lastUserContent(List<ReceivedCall.Message> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return "";
  }

  /** Up to three distinct words of the question, in their original order. */
  private static List<String> topicWords(String content, SplittableRandom rnd) {
    LinkedHashSet<String> candidates = new LinkedHashSet<>();
    Matcher m = WORD.matcher(content);
    while (m.find() && candidates.size() < 64) {
      String w = m.group();
      if (w.length() >= 4) {
        candidates.add(w.toLowerCase(Locale.ROOT));
      }
    }
    List<String> all = new ArrayList<>(candidates);
    if (all.size() <= 3) {
      return all;
    }
    int start = rnd.nextInt(all.size() - 2);
    return all.subList(start, start + 3);
  }

  /** SHA-256 over an unambiguous encoding of the inputs, so the result is stable across JVMs. */
  static long hash(
      String model, List<ReceivedCall.Message> messages, double temperature, Long seed) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    update(sha, model);
    for (ReceivedCall.Message msg : messages) {
      update(sha, msg.role());
      update(sha, msg.content());
    }
    sha.update(ByteBuffer.allocate(8).putLong(Double.doubleToLongBits(temperature)).array());
    sha.update(
        seed == null ? new byte[] {0} : ByteBuffer.allocate(9).put((byte) 1).putLong(seed).array());
    return ByteBuffer.wrap(sha.digest()).getLong();
  }

  private static void update(MessageDigest sha, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    sha.update(bytes);
  }
}
