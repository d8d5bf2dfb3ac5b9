package dev.moa.protocol.shape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moa.protocol.shape.CriticVerdict.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriticVerdictTest {

  @Test
  void theLastVerdictLineDecides() {
    CriticVerdict v =
        CriticVerdict.parse("Plan 2 looks wrong.\nVerdict: ACCEPT?\n**Verdict:** reject");

    assertThat(v.decision()).isEqualTo(Decision.REJECT);
    assertThat(v.rejected()).isTrue();
  }

  @Test
  void aReplyWithoutAVerdictIsNone() {
    assertThat(CriticVerdict.parse("I am not sure.").decision()).isEqualTo(Decision.NONE);
    assertThat(CriticVerdict.parse(null).decision()).isEqualTo(Decision.NONE);
  }

  @Test
  void keepFiltersTheCandidatesByTheirNumbers() {
    CriticVerdict v = CriticVerdict.parse("Good: 3 and 1.\nKeep: 3, 1, 9\nVerdict: ACCEPT");

    assertThat(v.decision()).isEqualTo(Decision.ACCEPT);
    assertThat(v.kept(List.of("a", "b", "c"))).containsExactly("c", "a");
  }

  @Test
  void withoutKeepOrWithNoExistingNumberAllCandidatesGoOn() {
    assertThat(CriticVerdict.parse("Verdict: ACCEPT").kept(List.of("a", "b")))
        .containsExactly("a", "b");
    assertThat(CriticVerdict.parse("Keep: 7\nVerdict: ACCEPT").kept(List.of("a", "b")))
        .containsExactly("a", "b");
  }
}
