package dev.moa.orchestrator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiAccessTest {

  private static final String TOKEN = "t0k3n-0123456789abcdef";
  private static final Map<String, String> ENV = Map.of("MOA_API_TOKEN", TOKEN);

  @Test
  void loopbackAddressesNeedNoToken() {
    for (String a : new String[] {"127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"}) {
      ApiAccess access = ApiAccess.forAddress(a, "MOA_API_TOKEN", name -> null);
      assertThat(access.tokenRequired()).as(a).isFalse();
      assertThat(access.check(null)).as(a).isEqualTo(ApiAccess.Verdict.ALLOWED);
    }
  }

  @Test
  void anyOtherAddressOrNoneNeedsTheToken() {
    for (String a : new String[] {"0.0.0.0", "::", "10.1.2.3", "my-host", null}) {
      assertThat(ApiAccess.forAddress(a, "MOA_API_TOKEN", ENV::get).tokenRequired())
          .as(String.valueOf(a))
          .isTrue();
    }
  }

  @Test
  void boundBeyondLoopbackWithoutTheVariableItRefusesToStartNamingTheVariable() {
    assertThatThrownBy(() -> ApiAccess.forAddress("0.0.0.0", "MY_TOKEN", name -> null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server.address is '0.0.0.0', not loopback")
        .hasMessageContaining("environment variable MY_TOKEN is not set");
    assertThatThrownBy(() -> ApiAccess.forAddress("0.0.0.0", "MY_TOKEN", name -> "  "))
        .hasMessageContaining("MY_TOKEN is not set");
  }

  @Test
  void aShortTokenIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> ApiAccess.forAddress("0.0.0.0", "T", name -> "short-secret"))
        .hasMessageContaining("T holds a token shorter than 16 characters")
        .hasMessageNotContaining("short-secret");
  }

  @Test
  void aBadVariableNameIsAConfigError() {
    assertThatThrownBy(() -> ApiAccess.forAddress("127.0.0.1", "not a name", name -> null))
        .hasMessage(
            "moa.orchestrator.api-token-env: 'not a name' is not an environment variable name");
  }

  @Test
  void onlyTheExactBearerTokenIsAllowed() {
    ApiAccess access = ApiAccess.forAddress("0.0.0.0", "MOA_API_TOKEN", ENV::get);
    assertThat(access.check("Bearer " + TOKEN)).isEqualTo(ApiAccess.Verdict.ALLOWED);
    assertThat(access.check("bearer " + TOKEN)).isEqualTo(ApiAccess.Verdict.ALLOWED);
    assertThat(access.check(null)).isEqualTo(ApiAccess.Verdict.MISSING);
    assertThat(access.check("")).isEqualTo(ApiAccess.Verdict.MISSING);
    assertThat(access.check("Basic dXNlcjpwYXNz")).isEqualTo(ApiAccess.Verdict.NOT_BEARER);
    assertThat(access.check("Bearer " + TOKEN + "x")).isEqualTo(ApiAccess.Verdict.WRONG);
    assertThat(access.check("Bearer " + TOKEN.substring(1))).isEqualTo(ApiAccess.Verdict.WRONG);
    assertThat(access.check("Bearer ")).isEqualTo(ApiAccess.Verdict.WRONG);
  }

  @Test
  void healthAndMetricsArePublicTheApiIsNot() {
    assertThat(ApiAccess.isPublic("/actuator/health")).isTrue();
    assertThat(ApiAccess.isPublic("/actuator/health/readiness")).isTrue();
    assertThat(ApiAccess.isPublic("/actuator/prometheus")).isTrue();
    assertThat(ApiAccess.isPublic("/v1/requests")).isFalse();
    assertThat(ApiAccess.isPublic("/actuator/env")).isFalse();
    assertThat(ApiAccess.isPublic("/actuator/healthz")).isFalse();
  }

  @Test
  void theConsolesStaticFilesArePublicItsApiIsNot() {
    assertThat(ApiAccess.isPublic("/console")).isTrue();
    assertThat(ApiAccess.isPublic("/console/")).isTrue();
    assertThat(ApiAccess.isPublic("/console/console.js")).isTrue();
    assertThat(ApiAccess.isPublic("/console/../api/configs")).isFalse();
    assertThat(ApiAccess.isPublic("/consoles")).isFalse();
    assertThat(ApiAccess.isPublic("/api/configs")).isFalse();
    assertThat(ApiAccess.isPublic("/api/runs/r1/cancel")).isFalse();
  }

  @Test
  void itsDescriptionNeverHoldsTheToken() {
    ApiAccess access = ApiAccess.forAddress("0.0.0.0", "MOA_API_TOKEN", ENV::get);
    assertThat(access.toString()).doesNotContain(TOKEN).contains("MOA_API_TOKEN");
    for (ApiAccess.Verdict v : ApiAccess.Verdict.values()) {
      assertThat(String.valueOf(v.message)).doesNotContain(TOKEN);
    }
  }
}
