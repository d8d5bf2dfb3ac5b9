package dev.moa.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeyLedgerTest {

  @Test
  void callsAreCountedPerKeyFingerprintAndTheKeyIsNeverKept() {
    ApiKeyLedger ledger = new ApiKeyLedger();
    ledger.record("Bearer sk-secret-one");
    ledger.record("bearer sk-secret-one");
    ledger.record("Bearer sk-secret-two");
    ledger.record(null);
    ledger.record("Basic abc");
    assertThat(ledger.snapshot())
        .containsEntry(ApiKeyLedger.fingerprint("sk-secret-one"), 2L)
        .containsEntry(ApiKeyLedger.fingerprint("sk-secret-two"), 1L)
        .containsEntry(ApiKeyLedger.NO_KEY, 2L)
        .hasSize(3);
    assertThat(ledger.snapshot().toString()).doesNotContain("sk-secret");
    assertThat(ApiKeyLedger.fingerprint("sk-secret-one")).matches("sha256:[0-9a-f]{16}");
  }
}
