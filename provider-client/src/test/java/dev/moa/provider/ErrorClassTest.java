package dev.moa.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorClassTest {

  @ParameterizedTest
  @CsvSource({
    "408, HTTP_408",
    "409, HTTP_409",
    "429, HTTP_429",
    "500, HTTP_5XX",
    "502, HTTP_5XX",
    "503, HTTP_5XX",
    "599, HTTP_5XX",
    "400, HTTP_4XX",
    "401, HTTP_4XX",
    "403, HTTP_4XX",
    "404, HTTP_4XX",
    "422, HTTP_4XX",
    "302, INTERNAL",
    "200, INTERNAL"
  })
  void mapsHttpStatus(int status, ErrorClass expected) {
    assertThat(ErrorClass.fromHttpStatus(status)).isEqualTo(expected);
  }

  @Test
  void retryability() {
    assertThat(ErrorClass.values())
        .filteredOn(ErrorClass::retryable)
        .containsExactlyInAnyOrder(
            ErrorClass.HTTP_408,
            ErrorClass.HTTP_409,
            ErrorClass.HTTP_429,
            ErrorClass.HTTP_5XX,
            ErrorClass.TIMEOUT,
            ErrorClass.CONNECTION,
            ErrorClass.MALFORMED_STREAM,
            ErrorClass.TRUNCATED_STREAM,
            ErrorClass.CIRCUIT_OPEN);
    assertThat(ErrorClass.values())
        .filteredOn(ErrorClass::providerFault)
        .containsExactlyInAnyOrder(
            ErrorClass.HTTP_408,
            ErrorClass.HTTP_5XX,
            ErrorClass.TIMEOUT,
            ErrorClass.CONNECTION,
            ErrorClass.MALFORMED_STREAM,
            ErrorClass.TRUNCATED_STREAM);
    assertThat(ErrorClass.HTTP_4XX.retryable()).isFalse();
    assertThat(ErrorClass.INTERNAL.retryable()).isFalse();
  }

  @Test
  void wireNames() {
    assertThat(ErrorClass.HTTP_429.wireName()).isEqualTo("http_429");
    assertThat(ErrorClass.HTTP_5XX.wireName()).isEqualTo("http_5xx");
    assertThat(ErrorClass.TIMEOUT.wireName()).isEqualTo("timeout");
    assertThat(ErrorClass.MALFORMED_STREAM.wireName()).isEqualTo("malformed_stream");
    for (ErrorClass c : ErrorClass.values()) {
      assertThat(ErrorClass.fromWireName(c.wireName())).isEqualTo(c);
    }
    assertThatThrownBy(() -> ErrorClass.fromWireName("nope")).hasMessageContaining("nope");
  }
}
