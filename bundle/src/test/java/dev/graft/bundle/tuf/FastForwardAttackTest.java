package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.RollbackAttackException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fast-forward attack: a compromised online key pushes a version so high that the client would
 * refuse every honest file afterwards as a rollback. The recovery is a root that rotates the key:
 * the stored file no longer verifies, so it stops being the reference.
 */
class FastForwardAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();

  @BeforeEach
  void trustFastForwardedTimestamp() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise().publish();
    fixture.client().refresh();
    // The attacker holds the timestamp key and signs version 1000.
    fixture.timestampVersion = 1000;
    fixture.publish();
    TufClient client = fixture.client();
    client.refresh();
    assertThat(client.timestamp().orElseThrow().version()).isEqualTo(1000);
  }

  @Test
  void refresh_honestTimestampAfterFastForward_throwsRollbackUntilKeyRotates() {
    fixture.timestampVersion = 2;
    fixture.publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining("older than trusted version 1000");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_rootRotatesTimestampKey_acceptsVersionTwoAndReplacesStoredTimestamp() {
    Signer newTimestampKey = RepositoryFixture.newCompositeKey();
    fixture.keys.put(RoleType.TIMESTAMP, List.of(newTimestampKey));
    fixture.rootVersion = 2;
    fixture.publishRoot();
    fixture.timestampVersion = 2;
    fixture.publish();

    TufClient client = fixture.client();
    client.refresh();

    assertThat(client.timestamp().orElseThrow().version()).isEqualTo(2);
    assertThat(fixture.store.load("timestamp")).hasValue(fixture.published("timestamp.json"));
    assertThat(fixture.store.load("root")).hasValue(fixture.published("2.root.json"));
  }

  @Test
  void refresh_rootRotatesTimestampKeyButAttackerStillServesOldKey_refusesFastForwardedFile() {
    fixture.keys.put(RoleType.TIMESTAMP, List.of(RepositoryFixture.newCompositeKey()));
    fixture.rootVersion = 2;
    fixture.publishRoot();
    // timestamp.json is still the version 1000 signed by the rotated-away key.
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(dev.graft.bundle.ThresholdException.class)
        .hasMessageContaining("timestamp metadata version 1000");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("root", fixture.published("2.root.json")));
  }

  @Test
  void refresh_snapshotFastForwardedThenSnapshotAndTimestampKeysRotate_acceptsSnapshotTwo() {
    // Fresh history: the attacker also holds the snapshot key and pushes snapshot version 1000.
    RepositoryFixture repo = new RepositoryFixture();
    repo.addTarget("apps/a.graft", "a");
    repo.initialise().publish();
    repo.snapshotVersion = 1000;
    repo.timestampVersion = 1000;
    repo.publish();
    repo.client().refresh();
    repo.snapshotVersion = 2;
    repo.timestampVersion = 1001;
    repo.publish();
    assertThatThrownBy(() -> repo.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class);

    // Recovery: root rotates both online keys, so neither stored file is a reference any more.
    repo.keys.put(RoleType.SNAPSHOT, List.of(RepositoryFixture.newCompositeKey()));
    repo.keys.put(RoleType.TIMESTAMP, List.of(RepositoryFixture.newCompositeKey()));
    repo.rootVersion = 2;
    repo.publishRoot();
    repo.timestampVersion = 2;
    repo.publish();
    TufClient client = repo.client();
    client.refresh();

    assertThat(client.snapshot().orElseThrow().version()).isEqualTo(2);
    assertThat(repo.store.load("snapshot")).hasValue(repo.published("2.snapshot.json"));
    assertThat(repo.store.load("timestamp")).hasValue(repo.published("timestamp.json"));
  }
}
