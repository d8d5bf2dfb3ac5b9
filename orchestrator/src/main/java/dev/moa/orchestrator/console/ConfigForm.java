package dev.moa.orchestrator.console;

import dev.moa.protocol.config.ConfigError;
import dev.moa.protocol.config.ConfigException;
import dev.moa.protocol.config.ConfigLoader;
import dev.moa.protocol.config.ConfigWriter;
import dev.moa.protocol.config.MoaConfig;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The console's configuration form: a config as JSON in the file's own shape (explicit layers,
 * every field spelled out), so a validation error's field path ({@code
 * layers[1].agents[0].temperature}) names the form input it belongs to. JSON is YAML, so the config
 * parser reads the form as it is; what is saved is {@link ConfigWriter}'s YAML.
 */
public final class ConfigForm {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private ConfigForm() {}

  /** The form of a valid config. */
  public static ObjectNode of(MoaConfig config) {
    JsonNode tree = YAML.readTree(ConfigWriter.toYaml(config));
    return (ObjectNode) tree;
  }

  /** The outcome of checking a submitted form. */
  public sealed interface Checked permits Valid, Invalid {}

  /** A valid form: the parsed config and the YAML to store. */
  public record Valid(MoaConfig config, String yaml) implements Checked {}

  /** Every error, each with its field path ("" for the whole form). */
  public record Invalid(List<ConfigError> errors) implements Checked {}

  /**
   * Validates a submitted form.
   *
   * @param formJson the form as JSON text
   * @param source names the form in messages (the config's file name)
   */
  public static Checked check(String formJson, String source) {
    try {
      JSON.readTree(formJson);
    } catch (JacksonException e) {
      return new Invalid(
          List.of(new ConfigError("", "the form is not JSON: " + e.getOriginalMessage())));
    }
    try {
      MoaConfig config = ConfigLoader.parse(formJson, source);
      return new Valid(config, ConfigWriter.toYaml(config));
    } catch (ConfigException e) {
      return new Invalid(e.errors());
    }
  }
}
