package dev.moa.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FaultRatesTest {

  private static final String KINDS = "; valid kinds: 5xx, 429, stall, truncate, malformed";

  @Test
  void parsesTheFullSpec() {
    assertThat(FaultRates.parse("5xx=0.1,429=0.05,stall=0.02,truncate=0.01,malformed=0.01"))
        .isEqualTo(new FaultRates(0.1, 0.05, 0.02, 0.01, 0.01));
  }

  @Test
  void parsesAnySubsetInAnyOrderWithSpaces() {
    assertThat(FaultRates.parse(" malformed = 0.5 , 429=1e-1"))
        .isEqualTo(new FaultRates(0, 0.1, 0, 0, 0.5));
    assertThat(FaultRates.parse("truncate=1")).isEqualTo(new FaultRates(0, 0, 0, 1, 0));
  }

  @Test
  void emptyMeansNone() {
    assertThat(FaultRates.parse("")).isEqualTo(FaultRates.none());
    assertThat(FaultRates.parse("  ")).isEqualTo(FaultRates.none());
    assertThat(FaultRates.none().isNone()).isTrue();
    assertThat(FaultRates.none()).isEqualTo(new FaultRates(0, 0, 0, 0, 0));
  }

  @Test
  void specRoundTrips() {
    FaultRates rates = new FaultRates(0.1, 0, 0.2, 0, 0.05);
    assertThat(rates.toSpec()).isEqualTo("5xx=0.1,stall=0.2,malformed=0.05");
    assertThat(FaultRates.parse(rates.toSpec())).isEqualTo(rates);
  }

  @Test
  void unknownKindIsNamed() {
    assertThatThrownBy(() -> FaultRates.parse("5xx=0.1,timeout=0.2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown fault kind 'timeout' in 'timeout=0.2'" + KINDS);
  }

  @Test
  void badNumberIsNamed() {
    assertThatThrownBy(() -> FaultRates.parse("5xx=abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad fault rate 'abc' in '5xx=abc': expected a number in 0..1" + KINDS);
    assertThatThrownBy(() -> FaultRates.parse("stall=1.5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad fault rate '1.5' in 'stall=1.5': expected a number in 0..1" + KINDS);
    assertThatThrownBy(() -> FaultRates.parse("429="))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad fault rate '' in '429=': expected a number in 0..1" + KINDS);
  }

  @Test
  void itemWithoutRateOrDuplicateIsNamed() {
    assertThatThrownBy(() -> FaultRates.parse("stall"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad fault item 'stall': expected kind=rate" + KINDS);
    assertThatThrownBy(() -> FaultRates.parse("5xx=0.1,,429=0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad fault item '': expected kind=rate" + KINDS);
    assertThatThrownBy(() -> FaultRates.parse("5xx=0.1,5XX=0.2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Duplicate fault kind '5xx' in '5XX=0.2'" + KINDS);
  }

  @Test
  void ratesMustBeProbabilitiesSummingToAtMostOne() {
    assertThatThrownBy(() -> new FaultRates(-0.1, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("http5xx: -0.1 must be in 0..1");
    assertThatThrownBy(() -> new FaultRates(0, 0, 0, 0, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("malformed: NaN must be in 0..1");
    assertThatThrownBy(() -> FaultRates.parse("5xx=0.6,429=0.6"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fault rates: sum 1.2 must be <= 1");
    assertThat(new FaultRates(0.2, 0.2, 0.2, 0.2, 0.2).http5xx()).isEqualTo(0.2);
  }
}
