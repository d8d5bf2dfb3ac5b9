package dev.moa.simulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to run a {@link Simulator}. {@code modelProfiles} overrides {@code defaultProfile} per model
 * name; {@code timeScale} multiplies every simulated duration (0 = no delays at all); {@code seed}
 * drives fault injection (the generated text depends only on the request). {@code rpm} and {@code
 * tpm} limit each API key to that many requests and tokens per {@code limitWindow} (0 = no limit;
 * see {@link RateLimits}); the window is a minute unless a test time-scales it.
 */
public record SimulatorOptions(
    String host,
    int port,
    Profile defaultProfile,
    Map<String, Profile> modelProfiles,
    double timeScale,
    FaultRates faults,
    int retryAfterSeconds,
    long seed,
    long rpm,
    long tpm,
    java.time.Duration limitWindow) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final long DEFAULT_SEED = 42;
  public static final java.time.Duration DEFAULT_LIMIT_WINDOW = java.time.Duration.ofMinutes(1);

  public SimulatorOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host: '" + host + "' must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " is outside 0..65535");
    }
    if (defaultProfile == null) {
      throw new IllegalArgumentException("defaultProfile: must not be null");
    }
    modelProfiles = modelProfiles == null ? Map.of() : copy(modelProfiles);
    if (Double.isNaN(timeScale) || Double.isInfinite(timeScale)) {
      throw new IllegalArgumentException("timeScale: " + timeScale + " must be a finite number");
    }
    if (timeScale < 0) {
      throw new IllegalArgumentException("timeScale: " + timeScale + " must be >= 0");
    }
    if (faults == null) {
      faults = FaultRates.none();
    }
    if (retryAfterSeconds < 0) {
      throw new IllegalArgumentException(
          "retryAfterSeconds: " + retryAfterSeconds + " must be >= 0");
    }
    if (rpm < 0) {
      throw new IllegalArgumentException("rpm: " + rpm + " must be >= 0 (0 = no limit)");
    }
    if (tpm < 0) {
      throw new IllegalArgumentException("tpm: " + tpm + " must be >= 0 (0 = no limit)");
    }
    if (limitWindow == null) {
      limitWindow = DEFAULT_LIMIT_WINDOW;
    }
    if (limitWindow.toMillis() < 1) {
      throw new IllegalArgumentException("limitWindow: " + limitWindow + " must be >= 1 ms");
    }
  }

  private static Map<String, Profile> copy(Map<String, Profile> in) {
    Map<String, Profile> out = new LinkedHashMap<>();
    in.forEach(
        (model, profile) -> {
          if (model == null || model.isBlank() || profile == null) {
            throw new IllegalArgumentException(
                "modelProfiles: entry " + model + "=" + profile + " must have a model and profile");
          }
          out.put(model, profile);
        });
    return Collections.unmodifiableMap(out);
  }

  /** The profile for a model: its override, else the default. */
  public Profile profileFor(String model) {
    return modelProfiles.getOrDefault(model, defaultProfile);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .host(host)
        .port(port)
        .defaultProfile(defaultProfile)
        .modelProfiles(modelProfiles)
        .timeScale(timeScale)
        .faults(faults)
        .retryAfterSeconds(retryAfterSeconds)
        .seed(seed)
        .rpm(rpm)
        .tpm(tpm)
        .limitWindow(limitWindow);
  }

  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = 0;
    private Profile defaultProfile = Profile.CEREBRAS;
    private final Map<String, Profile> modelProfiles = new LinkedHashMap<>();
    private double timeScale = 1.0;
    private FaultRates faults = FaultRates.none();
    private int retryAfterSeconds = 1;
    private long seed = DEFAULT_SEED;
    private long rpm;
    private long tpm;
    private java.time.Duration limitWindow = DEFAULT_LIMIT_WINDOW;

    private Builder() {}

    /** Requests per key and window; 0 = no limit. */
    public Builder rpm(long rpm) {
      this.rpm = rpm;
      return this;
    }

    /** Tokens (input + max completion tokens) per key and window; 0 = no limit. */
    public Builder tpm(long tpm) {
      this.tpm = tpm;
      return this;
    }

    /** The rate-limit window: a minute, shorter to time-scale a test. */
    public Builder limitWindow(java.time.Duration window) {
      this.limitWindow = window;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 = ephemeral port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder defaultProfile(Profile profile) {
      this.defaultProfile = profile;
      return this;
    }

    /** A built-in profile by name, see {@link Profile#named}. */
    public Builder defaultProfile(String name) {
      return defaultProfile(Profile.named(name));
    }

    /** Replaces all per-model overrides. */
    public Builder modelProfiles(Map<String, Profile> profiles) {
      modelProfiles.clear();
      if (profiles != null) {
        modelProfiles.putAll(profiles);
      }
      return this;
    }

    public Builder modelProfile(String model, Profile profile) {
      modelProfiles.put(Objects.requireNonNull(model, "model"), profile);
      return this;
    }

    public Builder timeScale(double timeScale) {
      this.timeScale = timeScale;
      return this;
    }

    public Builder faults(FaultRates faults) {
      this.faults = faults;
      return this;
    }

    /** Fault spec, see {@link FaultRates#parse}. */
    public Builder faults(String spec) {
      return faults(FaultRates.parse(spec));
    }

    public Builder retryAfterSeconds(int seconds) {
      this.retryAfterSeconds = seconds;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public SimulatorOptions build() {
      return new SimulatorOptions(
          host,
          port,
          defaultProfile,
          modelProfiles,
          timeScale,
          faults,
          retryAfterSeconds,
          seed,
          rpm,
          tpm,
          limitWindow);
    }
  }
}
