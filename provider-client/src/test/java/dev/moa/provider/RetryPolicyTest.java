package dev.moa.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Function<String, String> NO_HEADERS = name -> null;

  /** A random whose nextDouble() is fixed, to pin the jitter. */
  private static RandomGenerator fixed(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  private static Function<String, String> headers(String... pairs) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m::get;
  }

  @Test
  void defaults() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.maxAttempts()).isEqualTo(4);
    assertThat(p.baseDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.jitter()).isEqualTo(0.5);
    assertThat(p.maxRetryAfter()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p).isEqualTo(RetryPolicy.builder().build());
    assertThat(p.toBuilder().maxAttempts(2).build().maxAttempts()).isEqualTo(2);
  }

  @Test
  void retryAfterMsBeatsRetryAfter() {
    RetryPolicy p = RetryPolicy.defaults();
    var d =
        p.delayBeforeRetry(
            1,
            ErrorClass.HTTP_429,
            headers("retry-after-ms", "200", "retry-after", "7"),
            fixed(0.9));
    assertThat(d).contains(Duration.ofMillis(200));
  }

  @Test
  void retryAfterSeconds() {
    var d =
        RetryPolicy.defaults()
            .delayBeforeRetry(1, ErrorClass.HTTP_5XX, headers("retry-after", "3"), fixed(0.9));
    assertThat(d).contains(Duration.ofSeconds(3));
  }

  @Test
  void unparseableRetryAfterMsFallsBackToRetryAfter() {
    var d =
        RetryPolicy.defaults()
            .delayBeforeRetry(
                1,
                ErrorClass.HTTP_429,
                headers("retry-after-ms", "soon", "retry-after", "2"),
                fixed(0));
    assertThat(d).contains(Duration.ofSeconds(2));
  }

  @Test
  void retryAfterHttpDate() {
    Clock clock = Clock.fixed(Instant.parse("2025-01-01T10:00:00Z"), ZoneOffset.UTC);
    RetryPolicy p = RetryPolicy.defaults();
    var d =
        p.delayBeforeRetry(
            1,
            ErrorClass.HTTP_429,
            headers("retry-after", "Wed, 01 Jan 2025 10:00:05 GMT"),
            fixed(0.9),
            clock);
    assertThat(d).contains(Duration.ofSeconds(5));

    var past =
        p.delayBeforeRetry(
            1,
            ErrorClass.HTTP_429,
            headers("retry-after", "Wed, 01 Jan 2025 09:59:00 GMT"),
            fixed(0.9),
            clock);
    assertThat(past).contains(Duration.ZERO);
  }

  @Test
  void serverDelayIsCappedAtMaxRetryAfter() {
    RetryPolicy p = RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(10)).build();
    assertThat(p.delayBeforeRetry(1, ErrorClass.HTTP_429, headers("retry-after", "3600"), fixed(0)))
        .contains(Duration.ofSeconds(10));
    assertThat(
            p.delayBeforeRetry(
                1, ErrorClass.HTTP_429, headers("retry-after-ms", "99999999"), fixed(0)))
        .contains(Duration.ofSeconds(10));
  }

  @Test
  void exponentialGrowthCappedAtMaxDelay() {
    RetryPolicy p =
        RetryPolicy.builder()
            .maxAttempts(20)
            .baseDelay(Duration.ofMillis(100))
            .maxDelay(Duration.ofMillis(1000))
            .jitter(0.0)
            .build();
    RandomGenerator r = new Random(1);
    assertThat(p.delayBeforeRetry(1, ErrorClass.HTTP_5XX, NO_HEADERS, r))
        .contains(Duration.ofMillis(100));
    assertThat(p.delayBeforeRetry(2, ErrorClass.HTTP_5XX, NO_HEADERS, r))
        .contains(Duration.ofMillis(200));
    assertThat(p.delayBeforeRetry(3, ErrorClass.TIMEOUT, NO_HEADERS, r))
        .contains(Duration.ofMillis(400));
    assertThat(p.delayBeforeRetry(4, ErrorClass.CONNECTION, null, r))
        .contains(Duration.ofMillis(800));
    assertThat(p.delayBeforeRetry(5, ErrorClass.HTTP_5XX, NO_HEADERS, r))
        .contains(Duration.ofMillis(1000));
    assertThat(p.delayBeforeRetry(19, ErrorClass.HTTP_5XX, NO_HEADERS, r))
        .contains(Duration.ofMillis(1000));
  }

  @Test
  void jitterStaysWithinBounds() {
    RetryPolicy p =
        RetryPolicy.builder()
            .maxAttempts(10)
            .baseDelay(Duration.ofMillis(1000))
            .maxDelay(Duration.ofSeconds(60))
            .jitter(0.5)
            .build();
    Random seeded = new Random(42);
    boolean sawBelowFull = false;
    for (int i = 0; i < 1000; i++) {
      Duration d = p.delayBeforeRetry(2, ErrorClass.HTTP_429, NO_HEADERS, seeded).orElseThrow();
      assertThat(d).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
      sawBelowFull |= d.compareTo(Duration.ofMillis(1900)) < 0;
    }
    assertThat(sawBelowFull).isTrue();
    // The formula itself: delay * (1 - jitter * random).
    assertThat(p.delayBeforeRetry(1, ErrorClass.HTTP_429, NO_HEADERS, fixed(0.5)))
        .contains(Duration.ofMillis(750));
    assertThat(p.delayBeforeRetry(1, ErrorClass.HTTP_429, NO_HEADERS, fixed(0.0)))
        .contains(Duration.ofMillis(1000));
  }

  @Test
  void nonRetryableCausesGetNoRetry() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.delayBeforeRetry(1, ErrorClass.HTTP_4XX, headers("retry-after", "1"), fixed(0)))
        .isEmpty();
    assertThat(p.delayBeforeRetry(1, ErrorClass.INTERNAL, NO_HEADERS, fixed(0))).isEmpty();
  }

  @Test
  void exhaustedAttemptsGetNoRetry() {
    RetryPolicy p = RetryPolicy.builder().maxAttempts(3).build();
    assertThat(p.delayBeforeRetry(2, ErrorClass.HTTP_5XX, NO_HEADERS, fixed(0))).isPresent();
    assertThat(p.delayBeforeRetry(3, ErrorClass.HTTP_5XX, NO_HEADERS, fixed(0))).isEmpty();
    assertThat(
            RetryPolicy.builder()
                .maxAttempts(1)
                .build()
                .delayBeforeRetry(1, ErrorClass.HTTP_429, headers("retry-after-ms", "5"), fixed(0)))
        .isEmpty();
  }

  @Test
  void builderRejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ofMillis(-1)).build())
        .hasMessageContaining("baseDelay")
        .hasMessageContaining("PT-0.001S");
    assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(null).build())
        .hasMessageContaining("baseDelay");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .baseDelay(Duration.ofSeconds(5))
                    .maxDelay(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("maxDelay")
        .hasMessageContaining("PT1S");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5).build())
        .hasMessageContaining("jitter")
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(Double.NaN).build())
        .hasMessageContaining("jitter");
    assertThatThrownBy(() -> RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(-2)).build())
        .hasMessageContaining("maxRetryAfter")
        .hasMessageContaining("PT-2S");
    assertThatThrownBy(
            () -> RetryPolicy.defaults().delayBeforeRetry(0, ErrorClass.TIMEOUT, null, fixed(0)))
        .hasMessageContaining("attemptJustFailed");
  }
}
