package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Composite keys that share a half: (M1, E1) and (M1, E2) are one signer, because whoever holds M1
 * and can forge Ed25519 (a quantum computer) signs for both; likewise (M1, E1) and (M2, E1) for
 * whoever holds E1 and can forge ML-DSA. A threshold of 2 over such keys is met by one holder, so
 * they count once.
 */
class SharedHalfAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();

  @Test
  void refresh_twoTimestampKeysShareMlDsaHalf_throwsThresholdAndStoresNothing() {
    refuseSharedHalf(RepositoryFixture::newCompositeKeySharingMlDsa);
  }

  @Test
  void refresh_twoTimestampKeysShareEd25519Half_throwsThresholdAndStoresNothing() {
    refuseSharedHalf(RepositoryFixture::newCompositeKeySharingEd25519);
  }

  @Test
  void refresh_twoIndependentTimestampKeys_meetsThresholdOfTwo() {
    Signer first = fixture.keys.get(RoleType.TIMESTAMP).getFirst();
    fixture.keys.put(RoleType.TIMESTAMP, List.of(first, RepositoryFixture.newCompositeKey()));
    fixture.thresholds.put(RoleType.TIMESTAMP, 2);
    fixture.initialise().publish();

    fixture.client().refresh();

    assertThat(fixture.store.roleNames()).contains("timestamp", "targets");
  }

  private void refuseSharedHalf(UnaryOperator<Signer> sharing) {
    Signer first = fixture.keys.get(RoleType.TIMESTAMP).getFirst();
    fixture.keys.put(RoleType.TIMESTAMP, List.of(first, sharing.apply(first)));
    fixture.thresholds.put(RoleType.TIMESTAMP, 2);
    fixture.initialise().publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("timestamp metadata version 1 has valid signatures from 1 distinct")
        .hasMessageContaining("threshold is 2")
        .hasMessageContaining("share an ML-DSA or Ed25519 half count once");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }
}
