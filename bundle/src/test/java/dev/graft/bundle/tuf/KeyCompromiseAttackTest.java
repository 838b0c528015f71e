package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import dev.graft.bundle.testing.TestSigner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Key compromise below the threshold: with the snapshot role at threshold 2 of 3, an attacker
 * holding one key must not get a file accepted, however many signatures it carries.
 */
class KeyCompromiseAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();
  private Signer k1;
  private Signer k2;
  private Signer k3;

  @BeforeEach
  void trustRootWithTwoOfThreeSnapshotKeys() {
    k1 = fixture.keys.get(RoleType.SNAPSHOT).getFirst();
    k2 = RepositoryFixture.newCompositeKey();
    k3 = RepositoryFixture.newCompositeKey();
    fixture.keys.put(RoleType.SNAPSHOT, new ArrayList<>(List.of(k1, k2, k3)));
    fixture.thresholds.put(RoleType.SNAPSHOT, 2);
    fixture.addTarget("apps/a.graft", "a");
  }

  @Test
  void refresh_twoValidSignaturesOfThree_succeeds() {
    fixture.initialise();
    fixture.signing.put(RoleType.SNAPSHOT, s -> RepositoryFixture.sign(s, List.of(k1, k3)));
    fixture.publish();

    TufClient client = fixture.client();
    client.refresh();

    assertThat(client.snapshot()).isPresent();
  }

  @Test
  void refresh_oneValidSignaturePlusOneBad_throwsThresholdAndKeepsSnapshot() {
    fixture.initialise();
    StoreContents before = StoreContents.of(fixture.store);
    Signer brokenK2 = TestSigner.corrupting(k2, 100);
    fixture.signing.put(RoleType.SNAPSHOT, s -> RepositoryFixture.sign(s, List.of(k1, brokenK2)));
    fixture.publish();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("snapshot metadata version 1 has valid signatures from 1")
        .hasMessageContaining("threshold is 2");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }

  @Test
  void refresh_oneKeyListedUnderTwoIdsSignsTwice_countsOnceAndThrowsThreshold() {
    Signer k1Alias = TestSigner.aliased(k1, "second id");
    assertThat(k1Alias.keyId()).isNotEqualTo(k1.keyId());
    fixture.keys.put(RoleType.SNAPSHOT, new ArrayList<>(List.of(k1, k1Alias, k2)));
    fixture.initialise();
    StoreContents before = StoreContents.of(fixture.store);
    fixture.signing.put(RoleType.SNAPSHOT, s -> RepositoryFixture.sign(s, List.of(k1, k1Alias)));
    fixture.publish();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("valid signatures from 1 distinct key(s)");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }
}
