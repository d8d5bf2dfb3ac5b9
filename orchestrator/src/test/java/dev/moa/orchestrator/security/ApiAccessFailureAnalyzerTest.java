package dev.moa.orchestrator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

class ApiAccessFailureAnalyzerTest {

  @Test
  void aRefusedStartIsAShortReportNamingTheVariableNotAStackTrace() {
    Throwable refused =
        catchRefusal(() -> ApiAccess.forAddress("0.0.0.0", "MOA_TEST_UNSET_TOKEN", n -> null));
    FailureAnalysis analysis =
        new ApiAccessFailureAnalyzer()
            .analyze(new BeanCreationException("apiAccess", "failed", refused));

    assertThat(analysis).isNotNull();
    assertThat(analysis.getDescription())
        .startsWith("The orchestrator's HTTP API refused to start: server.address is '0.0.0.0'")
        .contains("MOA_TEST_UNSET_TOKEN is not set");
    assertThat(analysis.getAction()).contains("MOA_API_TOKEN", "server.address=127.0.0.1");
  }

  @Test
  void otherFailuresAreLeftToOtherAnalyzersAndItIsRegistered() throws Exception {
    assertThat(new ApiAccessFailureAnalyzer().analyze(new IllegalStateException("other"))).isNull();
    // Spring Boot finds analyzers in META-INF/spring.factories under the FailureAnalyzer key.
    var factories =
        PropertiesLoaderUtils.loadProperties(new ClassPathResource("META-INF/spring.factories"));
    assertThat(factories.getProperty(FailureAnalyzer.class.getName()))
        .contains(ApiAccessFailureAnalyzer.class.getName());
  }

  private static Throwable catchRefusal(Runnable r) {
    assertThatThrownBy(r::run).isInstanceOf(ApiAccess.ApiAccessException.class);
    try {
      r.run();
      throw new AssertionError("not refused");
    } catch (ApiAccess.ApiAccessException e) {
      return e;
    }
  }
}
