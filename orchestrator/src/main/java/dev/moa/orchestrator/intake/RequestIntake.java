package dev.moa.orchestrator.intake;

import dev.moa.protocol.avro.MoaRequest;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.MoaConfig;
import dev.moa.protocol.config.ProviderResolver;
import dev.moa.protocol.config.ResolvedProvider;
import dev.moa.protocol.prompt.Message;
import dev.moa.protocol.request.RequestFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Validates an HTTP submission and turns it into a request record. Plain Java, unit-tested. */
public final class RequestIntake {

  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  private final Function<String, String> env;
  private final String simulatorBaseUrl;
  private final Clock clock;
  private final MoaConfig defaultConfig;

  public RequestIntake(
      Function<String, String> env, String simulatorBaseUrl, Clock clock, MoaConfig defaultConfig) {
    this.env = env;
    this.simulatorBaseUrl = simulatorBaseUrl;
    this.clock = clock;
    this.defaultConfig = defaultConfig;
  }

  /** The body of {@code POST /v1/requests}. */
  public record Submission(
      String question, List<Map<String, String>> messages, String config, Long seed) {}

  /** A submission that cannot run; the message names the field and the bad value. */
  public static final class RejectedException extends Exception {
    public RejectedException(String message) {
      super(message);
    }
  }

  public MoaRequest accept(Submission s) throws RejectedException {
    if (s == null) {
      throw new RejectedException("body: expected a JSON object");
    }
    List<Message> conversation = conversation(s);
    MoaConfig config;
    try {
      config =
          s.config() == null || s.config().isBlank()
              ? defaultConfig
              : ConfigLoader.parse(s.config(), "config");
    } catch (ConfigException e) {
      throw new RejectedException(e.getMessage());
    }
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
        s.seed(),
        clock.millis(),
        Map.of());
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
