package dev.moa.testguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

class UnitTierGuardTest {

  @Test
  void aUnitTestThatStartsAProcessFailsEvenWhenTheRefusalIsSwallowed() {
    Events tests = run(StartsAProcess.class);

    tests
        .assertThatEvents()
        .haveExactly(
            1,
            finishedWithFailure(message(m -> m.contains("a unit test (*Test) started a process"))));
  }

  @Test
  void aPureTestPasses() {
    Events tests = run(Pure.class);

    tests.assertThatEvents().haveExactly(1, finishedSuccessfully());
  }

  private static Events run(Class<?> testClass) {
    assertThat(System.getProperty(UnitTierGuard.TIER_PROPERTY)).isEqualTo("unit");
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .selectors(selectClass(testClass))
        .execute()
        .testEvents();
  }

  static class StartsAProcess {
    @Test
    void startsTrue() {
      try {
        new ProcessBuilder("true").start().waitFor();
      } catch (Exception | Error e) {
        // Code under test often turns a failed start into an outcome of its own.
      }
    }
  }

  static class Pure {
    @Test
    void adds() {
      assertThat(1 + 1).isEqualTo(2);
    }
  }
}
