package dev.moa.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProviderResolverTest {

  private static final String SIM = "http://127.0.0.1:9099/v1";

  private static MoaConfig config(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "r.yaml");
  }

  private static Function<String, String> env(Map<String, String> vars) {
    return vars::get;
  }

  @Test
  void builtInSimulatorGoesToTheSimulatorBaseUrl() throws ConfigException {
    MoaConfig c =
        config(
            "default_provider: simulator\nlayers: 1\nagents: [{name: a, model: m}]\naggregator: {model: g}\n");

    Map<String, ResolvedProvider> resolved = ProviderResolver.resolve(c, env(Map.of()), SIM);

    assertThat(resolved)
        .containsExactly(
            Map.entry("simulator", new ResolvedProvider("simulator", SIM, null, true)));
  }

  @Test
  void providerWithItsKeySetIsRealAndCarriesOnlyTheVariableName() throws ConfigException {
    MoaConfig c =
        config(
            "layers: 1\nagents: [{name: a, model: m, provider: openai}]\naggregator: {model: g, provider: openai}\n");

    Map<String, ResolvedProvider> resolved =
        ProviderResolver.resolve(c, env(Map.of("OPENAI_API_KEY", "sk-very-secret")), SIM);

    assertThat(resolved)
        .containsExactly(
            Map.entry(
                "openai",
                new ResolvedProvider(
                    "openai", "https://api.openai.com/v1", "OPENAI_API_KEY", false)));
    assertThat(resolved.toString()).doesNotContain("sk-very-secret");
  }

  @Test
  void missingKeyWithSimulateWithoutKeyGoesToTheSimulator() throws ConfigException {
    MoaConfig c =
        config(
            "providers: {together: {simulate_without_key: true}}\nlayers: 1\n"
                + "agents: [{name: a, model: m, provider: together}]\naggregator: {model: g, provider: simulator}\n");

    Map<String, ResolvedProvider> resolved =
        ProviderResolver.resolve(c, env(Map.of("TOGETHER_API_KEY", "  ")), SIM);

    assertThat(resolved)
        .containsExactly(
            Map.entry("together", new ResolvedProvider("together", SIM, null, true)),
            Map.entry("simulator", new ResolvedProvider("simulator", SIM, null, true)));
  }

  @Test
  void missingKeyOtherwiseNamesTheVariableAndEveryUser() throws ConfigException {
    MoaConfig c =
        config(
            """
            layers:
              - agents: [{name: a, model: m}, {name: b, model: m, provider: openai}]
              - agents: [{name: a, model: m}]
            aggregator: {model: g, provider: openai}
            """);

    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> ProviderResolver.resolve(c, env(Map.of("CEREBRAS_API_KEY", "k")), SIM));

    assertThat(e.errors())
        .containsExactly(
            new ConfigError(
                "providers.openai.api_key_env",
                "environment variable OPENAI_API_KEY is not set (used by layers[0].agents[1],"
                    + " aggregator)"));
    assertThat(e.source()).isEqualTo("r");
  }

  @Test
  void everyProviderThatCannotBeResolvedIsReported() throws ConfigException {
    MoaConfig c =
        config(
            "layers: 1\nagents: [{name: a, model: m, provider: together}, {name: b, model: m}]\n"
                + "aggregator: {model: g, provider: openai}\n");

    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> ProviderResolver.resolve(c, env(Map.of()), SIM));

    assertThat(e.errors())
        .extracting(ConfigError::path)
        .containsExactly(
            "providers.together.api_key_env",
            "providers.cerebras.api_key_env",
            "providers.openai.api_key_env");
  }

  @Test
  void builtInSimulatorWithoutASimulatorIsAnError() throws ConfigException {
    MoaConfig c =
        config(
            "layers: 1\nagents: [{name: a, model: m, provider: simulator}]\naggregator: {model: g, provider: simulator}\n");

    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> ProviderResolver.resolve(c, env(Map.of()), null));

    assertThat(e.errors())
        .containsExactly(
            new ConfigError(
                "providers.simulator",
                "is the built-in simulator, but no simulator is available (used by"
                    + " layers[0].agents[0], aggregator)"));
  }

  @Test
  void simulateWithoutKeyButNoSimulatorIsAnError() {
    MoaConfig c = ConfigLoader.defaultConfig();

    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> ProviderResolver.resolve(c, env(Map.of()), null));

    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).path()).isEqualTo("providers.cerebras.api_key_env");
    assertThat(e.errors().get(0).message())
        .startsWith(
            "environment variable CEREBRAS_API_KEY is not set, and no simulator is available to"
                + " stand in (used by layers[0].agents[0], layers[0].agents[1],");
    assertThat(e.getMessage()).startsWith("workshop: providers.cerebras.api_key_env: ");
  }

  @Test
  void providerWithoutKeyVariableIsRealWithoutAKey() throws ConfigException {
    MoaConfig c =
        config(
            "providers: {local: {base_url: \"http://127.0.0.1:11434/v1\"}}\n"
                + "default_provider: local\nlayers: 1\nagents: [{name: a, model: m}]\naggregator: {model: g}\n");

    assertThat(ProviderResolver.resolve(c, env(Map.of()), null))
        .containsExactly(
            Map.entry(
                "local", new ResolvedProvider("local", "http://127.0.0.1:11434/v1", null, false)));
  }

  @Test
  void unusedProvidersAreNotResolvedAndNeedNoKey() throws ConfigException {
    MoaConfig c =
        config(
            "layers: 1\nagents: [{name: a, model: m, provider: simulator}]\naggregator: {model: g, provider: simulator}\n");

    assertThat(ProviderResolver.resolve(c, env(Map.of()), SIM)).containsOnlyKeys("simulator");
  }

  @Test
  void keyValuesAreLookedUpButNeverReturned() throws ConfigException {
    MoaConfig c = ConfigLoader.defaultConfig();
    StringBuilder asked = new StringBuilder();

    Map<String, ResolvedProvider> resolved =
        ProviderResolver.resolve(
            c,
            name -> {
              asked.append(name).append(' ');
              return "csk-secret";
            },
            SIM);

    assertThat(asked.toString().strip()).isEqualTo("CEREBRAS_API_KEY");
    assertThat(resolved.toString()).doesNotContain("csk-secret");
  }
}
