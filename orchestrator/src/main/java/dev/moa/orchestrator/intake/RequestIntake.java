package dev.moa.orchestrator.intake;

import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.config.ResolvedProvider;
import dev.moa.protocol.prompt.Message;
import dev.moa.protocol.request.RequestFactory;
import dev.moa.protocol.request.RequestLimits;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Validates an HTTP submission and turns it into a request record. Plain Java, unit-tested. */
public final class RequestIntake {

  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  private static final JsonMapper STRICT =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Function<String, String> env;
  private final String simulatorBaseUrl;
  private final Clock clock;
  private final MoaConfig defaultConfig;
  private final RequestLimits limits;

  public RequestIntake(
      Function<String, String> env, String simulatorBaseUrl, Clock clock, MoaConfig defaultConfig) {
    this(env, simulatorBaseUrl, clock, defaultConfig, RequestLimits.DEFAULT);
  }

  public RequestIntake(
      Function<String, String> env,
      String simulatorBaseUrl,
      Clock clock,
      MoaConfig defaultConfig,
      RequestLimits limits) {
    this.env = env;
    this.simulatorBaseUrl = simulatorBaseUrl;
    this.clock = clock;
    this.defaultConfig = defaultConfig;
    this.limits = limits;
  }

  /**
   * The body of {@code POST /v1/requests}. An unknown field is an error, not ignored: a typo such
   * as "questoin" must not silently drop the question.
   */
  public record Submission(
      String question, List<Map<String, String>> messages, String config, Long seed) {}

  /** A submission that cannot run; the message names the field and the bad value. */
  public static class RejectedException extends Exception {
    public RejectedException(String message) {
      super(message);
    }
  }

  /** A submission over the prompt limits (HTTP 413). */
  public static final class TooLargeException extends RejectedException {
    public TooLargeException(String message) {
      super(message);
    }
  }

  /** Parses and accepts a raw JSON body; every error names the field and the problem. */
  public MoaRequest accept(String body) throws RejectedException {
    return accept(parse(body));
  }

  static Submission parse(String body) throws RejectedException {
    if (body == null || body.isBlank()) {
      throw new RejectedException("body: empty; expected a JSON object");
    }
    try {
      return STRICT.readValue(body, Submission.class);
    } catch (JacksonException e) {
      throw new RejectedException(describe(e));
    }
  }

  /** {@code messages[0].content: Cannot deserialize ... (line 1, column 40)}. */
  static String describe(JacksonException e) {
    StringBuilder path = new StringBuilder();
    for (JacksonException.Reference r : e.getPath()) {
      if (r.getPropertyName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(r.getPropertyName());
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      }
    }
    String message = e.getOriginalMessage();
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    var loc = e.getLocation();
    String where =
        loc == null || loc.getLineNr() < 0
            ? ""
            : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    return (path.isEmpty() ? "body" : path.toString()) + ": " + message + where;
  }

  public MoaRequest accept(Submission s) throws RejectedException {
    if (s == null) {
      throw new RejectedException("body: expected a JSON object");
    }
    List<Message> conversation = conversation(s);
    // Before the config is even parsed: an oversized prompt costs nothing but this check.
    checkLimits(conversation);
    MoaConfig config;
    try {
      config =
          s.config() == null || s.config().isBlank()
              ? defaultConfig
              : ConfigLoader.parse(s.config(), "config");
    } catch (ConfigException e) {
      throw new RejectedException(e.getMessage());
    }
    return request(config, conversation, s.seed());
  }

  /**
   * A request of a validated config and conversation (the OpenAI-compatible endpoint's way in):
   * limits checked, providers resolved (the simulator for a provider without its key, when
   * allowed).
   */
  public MoaRequest accept(MoaConfig config, List<Message> conversation, Long seed)
      throws RejectedException {
    checkLimits(conversation);
    return request(config, conversation, seed);
  }

  /** Refuses a conversation over the prompt limits (HTTP 413). */
  private void checkLimits(List<Message> conversation) throws TooLargeException {
    try {
      limits.check(conversation);
    } catch (RequestLimits.RequestTooLargeException e) {
      throw new TooLargeException(e.getMessage());
    }
  }

  /** The request of a conversation already within the limits: providers resolved. */
  private MoaRequest request(MoaConfig config, List<Message> conversation, Long seed)
      throws RejectedException {
    Map<String, ResolvedProvider> providers;
    try {
      providers = ProviderResolver.resolve(config, env, simulatorBaseUrl);
    } catch (ConfigException e) {
      throw new RejectedException(e.getMessage());
    }
    return RequestFactory.request(
        RequestFactory.newRequestId(),
        RequestFactory.snapshot(config, providers),
        conversation,
        seed,
        clock.millis(),
        Map.of(),
        limits);
  }

  private static List<Message> conversation(Submission s) throws RejectedException {
    boolean hasQuestion = s.question() != null && !s.question().isBlank();
    boolean hasMessages = s.messages() != null && !s.messages().isEmpty();
    if (hasQuestion == hasMessages) {
      throw new RejectedException("body: give exactly one of 'question' or 'messages'");
    }
    if (hasQuestion) {
      return List.of(new Message("user", s.question()));
    }
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < s.messages().size(); i++) {
      Map<String, String> m = s.messages().get(i);
      String role = m == null ? null : m.get("role");
      String content = m == null ? null : m.get("content");
      if (role == null || !ROLES.contains(role)) {
        throw new RejectedException(
            "messages[" + i + "].role: '" + role + "' is not one of " + ROLES);
      }
      if (content == null) {
        throw new RejectedException("messages[" + i + "].content: missing");
      }
      out.add(new Message(role, content));
    }
    if (!"user".equals(out.get(out.size() - 1).role())) {
      throw new RejectedException("messages: the last message must be the user's");
    }
    return out;
  }
}
