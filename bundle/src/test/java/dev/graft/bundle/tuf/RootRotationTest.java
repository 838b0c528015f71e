package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.RollbackAttackException;
import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Root rotation by walking N.root.json: every step signed by the old and the new root keys. */
class RootRotationTest {
  private final RepositoryFixture fixture = new RepositoryFixture();
  private final Signer k2 = RepositoryFixture.newCompositeKey();
  private final Signer k3 = RepositoryFixture.newCompositeKey();
  private Signer k1;

  @BeforeEach
  void trustRootOne() {
    k1 = fixture.keys.get(RoleType.ROOT).getFirst();
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise().publish();
  }

  /** Root 2 raises the threshold to 2 of {k1, k2}; root 3 replaces k1 by k3. */
  private void publishRotationsToThree() {
    fixture.keys.put(RoleType.ROOT, List.of(k1, k2));
    fixture.thresholds.put(RoleType.ROOT, 2);
    fixture.rootVersion = 2;
    fixture.rootSigners = List.of(k1, k2);
    fixture.publishRoot();
    fixture.keys.put(RoleType.ROOT, List.of(k2, k3));
    fixture.rootVersion = 3;
    fixture.rootSigners = List.of(k1, k2, k3);
    fixture.publishRoot();
  }

  @Test
  void refresh_chainWithThresholdAndKeyChanges_trustsAndStoresNewestRoot() {
    publishRotationsToThree();

    TufClient client = fixture.client();
    client.refresh();

    Role rootRole = client.root().role(RoleType.ROOT);
    assertThat(client.root().version()).isEqualTo(3);
    assertThat(rootRole.threshold()).isEqualTo(2);
    assertThat(rootRole.keyIds()).containsExactly(k2.keyId(), k3.keyId());
    assertThat(fixture.store.load("root")).hasValue(fixture.published("3.root.json"));
    assertThat(fixture.repository.requests())
        .startsWith("2.root.json", "3.root.json", "4.root.json", "timestamp.json");
    assertThat(fixture.client().root().version()).isEqualTo(3);
  }

  @Test
  void refresh_rotationSignedOnlyByNewKeys_throwsThresholdAndStoresNothing() {
    fixture.keys.put(RoleType.ROOT, List.of(k2));
    fixture.rootVersion = 2;
    fixture.rootSigners = List.of(k2);
    fixture.publishRoot();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("root (signed by trusted root keys) metadata version 2");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_rotationSignedOnlyByOldKeys_throwsThresholdAndStoresNothing() {
    fixture.keys.put(RoleType.ROOT, List.of(k2));
    fixture.rootVersion = 2;
    fixture.rootSigners = List.of(k1);
    fixture.publishRoot();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("root (signed by its own new keys) metadata version 2");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_raisedThresholdMetOnlyByOldRoot_throwsThreshold() {
    fixture.keys.put(RoleType.ROOT, List.of(k1, k2));
    fixture.thresholds.put(RoleType.ROOT, 2);
    fixture.rootVersion = 2;
    fixture.rootSigners = List.of(k1);
    fixture.publishRoot();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("threshold is 2");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_rootFileHoldsOtherVersion_throwsRollbackAndStoresNothing() {
    fixture.rootVersion = 3;
    fixture.put("2.root.json", RepositoryFixture.sign(fixture.root(), List.of(k1)));
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining("2.root.json has version 3, expected 2");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_chainBreaksAtThree_keepsVerifiedRootTwo() {
    fixture.rootVersion = 2;
    fixture.publishRoot();
    fixture.keys.put(RoleType.ROOT, List.of(k2));
    fixture.rootVersion = 3;
    fixture.rootSigners = List.of(k2); // not signed by root 2's key
    fixture.publishRoot();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("metadata version 3");
    // Root 2 verified and was persisted at once; the broken 3 was not.
    assertThat(fixture.store.load("root")).hasValue(fixture.published("2.root.json"));
  }

  @Test
  void refresh_moreRotationsThanLimit_stopsAtLimitAndContinuesNextTime() {
    for (long version = 2; version <= 5; version++) {
      fixture.rootVersion = version;
      fixture.publishRoot();
    }
    Limits twoRotations = new Limits(512 * 1024, 64 * 1024, 2 << 20, 8 << 20, 2, 32);

    TufClient client = fixture.clientBuilder().limits(twoRotations).build();
    client.refresh();

    assertThat(client.root().version()).isEqualTo(3);
    assertThat(fixture.repository.requests())
        .startsWith("2.root.json", "3.root.json", "timestamp.json")
        .doesNotContain("4.root.json");
    assertThat(fixture.store.load("root")).hasValue(fixture.published("3.root.json"));

    TufClient next = fixture.clientBuilder().limits(twoRotations).build();
    next.refresh();
    assertThat(next.root().version()).isEqualTo(5);
  }

  @Test
  void refresh_timestampSignedByRotatedAwayKey_throwsThresholdAndKeepsTimestamp() {
    fixture.client().refresh();
    fixture.keys.put(RoleType.TIMESTAMP, List.of(RepositoryFixture.newCompositeKey()));
    fixture.keys.put(RoleType.SNAPSHOT, List.of(RepositoryFixture.newCompositeKey()));
    fixture.rootVersion = 2;
    fixture.publishRoot();
    // The repository still serves release 1, signed by the old timestamp and snapshot keys.
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("timestamp metadata version 1 has valid signatures from 0");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("root", fixture.published("2.root.json")));
  }

  @Test
  void refresh_storedSnapshotSignedByRotatedAwayKey_isNotUsedAndIsDownloadedAgain() {
    fixture.client().refresh();
    byte[] oldSnapshot = fixture.store.load("snapshot").orElseThrow();
    fixture.keys.put(RoleType.SNAPSHOT, List.of(RepositoryFixture.newCompositeKey()));
    fixture.rootVersion = 2;
    fixture.publishRoot();
    fixture.timestampVersion = 2;
    fixture.publish(); // snapshot 1 again, now signed by the new key
    fixture.repository.clearRequests();

    TufClient client = fixture.client();
    client.refresh();

    assertThat(fixture.repository.requests()).contains("1.snapshot.json");
    assertThat(fixture.store.load("snapshot").orElseThrow())
        .isEqualTo(fixture.published("1.snapshot.json"))
        .isNotEqualTo(oldSnapshot);
  }
}
