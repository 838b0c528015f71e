package dev.graft.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The refusal factories: one message shape per kind, the values kept as typed fields. */
class RefusalMessagesTest {

  private static final Instant EXPIRES = Instant.parse("2026-06-01T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-06-02T00:00:00Z");

  @Test
  void kind_isTheClassNameAsASlug() {
    assertThat(RollbackAttackException.of("timestamp", 3, 2).kind()).isEqualTo("rollback-attack");
    assertThat(ExpiredMetadataException.of("root", 1, EXPIRES, NOW).kind())
        .isEqualTo("expired-metadata");
    assertThat(EndlessDataException.longerThan("x", 1).kind()).isEqualTo("endless-data");
    assertThat(new TrustException("x").kind()).isEqualTo("trust");
    assertThat(new BundleFormatException("x").kind()).isEqualTo("bundle-format");
  }

  @Test
  void rollback_of_writesTheCommonShapeAndKeepsTheVersions() {
    RollbackAttackException e = RollbackAttackException.of("targets", 9, 7);

    assertThat(e)
        .hasMessage(
            "targets metadata version 7 is older than trusted version 9 — possible rollback"
                + " attack; refusing update");
    assertThat(e.reason()).isEqualTo(RollbackAttackException.Reason.OLDER_VERSION);
    assertThat(e.role()).isEqualTo("targets");
    assertThat(e.trustedVersion()).isEqualTo(9);
    assertThat(e.foundVersion()).hasValue(7);
  }

  @Test
  void rollback_noLongerListed_hasNoFoundVersion() {
    RollbackAttackException e = RollbackAttackException.noLongerListed(5, 4, "apps.json", 2);

    assertThat(e).hasMessageEndingWith("— possible rollback attack; refusing update");
    assertThat(e.foundVersion()).isEmpty();
    assertThat(e.trustedVersion()).isEqualTo(2);
  }

  @Test
  void expired_of_writesTheCommonShapeForEveryRole() {
    ExpiredMetadataException e = ExpiredMetadataException.of("root", 4, EXPIRES, NOW);

    assertThat(e)
        .hasMessage(
            "root metadata version 4 expired at 2026-06-01T00:00:00Z (now 2026-06-02T00:00:00Z)"
                + " — possible freeze attack; refusing update");
    assertThat(e.role()).isEqualTo("root");
    assertThat(e.version()).isEqualTo(4);
    assertThat(e.expires()).isEqualTo(EXPIRES);
    assertThat(e.now()).isEqualTo(NOW);
  }

  @Test
  void hashMismatch_afterRetries_keepsTheLastFailureAndItsValues() {
    HashMismatchException last = HashMismatchException.length("chunk 2", 952, 10);
    HashMismatchException e = HashMismatchException.afterRetries("chunk 2 of target ab", 3, last);

    assertThat(e)
        .hasMessage(
            "chunk 2 of target ab failed verification 3 times (chunk 2 is 10 bytes, trusted"
                + " metadata says 952; refusing it); refused and not written")
        .hasCause(last);
    assertThat(e.reason()).isEqualTo(HashMismatchException.Reason.LENGTH);
    assertThat(e.expected()).isEqualTo("952");
    assertThat(e.found()).isEqualTo("10");
  }

  @Test
  void threshold_of_keepsTheCounts() {
    ThresholdException e = ThresholdException.of("snapshot", 3, 1, 3, 2, false);

    assertThat(e)
        .hasMessage(
            "snapshot metadata version 3 has valid signatures from 1 distinct key(s) of the 3 it"
                + " trusts; threshold is 2");
    assertThat(e.signers()).isEqualTo(1);
    assertThat(e.threshold()).isEqualTo(2);
  }

  @Test
  void endlessData_knownAndUnknownLength_shareTheSuffix() {
    assertThat(EndlessDataException.of("t", 4, 5))
        .hasMessage(
            "t is 5 bytes, more than the 4 bytes allowed — possible endless-data attack;"
                + " refusing it");
    assertThat(EndlessDataException.longerThan("t", 4).length()).isEmpty();
  }
}
