package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.RollbackAttackException;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rollback attack: files that are correctly signed but older than what the client already trusts.
 * The client trusts release 2 (timestamp, snapshot and targets version 2) before each test.
 */
class RollbackAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();
  private byte[] timestampV1;

  @BeforeEach
  void trustReleaseTwo() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.delegate(
        "apps", List.of("apps/delegated/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("apps", "apps/delegated/b.graft", "b");
    fixture.initialise().publish();
    timestampV1 = fixture.published("timestamp.json");
    fixture.delegatedVersions.put("apps", 2L);
    fixture.publishNext();
    TufClient client = fixture.client();
    client.refresh();
    client.requireTarget("apps/delegated/b.graft");
    assertThat(fixture.store.roleNames())
        .containsExactlyInAnyOrder("root", "timestamp", "snapshot", "targets", "apps");
  }

  @Test
  void refresh_timestampVersionGoesBack_throwsRollbackAndStoresNothing() {
    fixture.put("timestamp.json", timestampV1);
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining("timestamp metadata version 1 is older than trusted version 2");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_timestampNamesOlderSnapshot_throwsRollbackAndStoresNothing() {
    fixture.timestampVersion = 3;
    fixture.snapshotVersion = 1;
    fixture.publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining(
            "names snapshot version 1, older than trusted version 2 — possible rollback attack;"
                + " refusing update")
        .satisfies(e -> {
          RollbackAttackException rollback = (RollbackAttackException) e;
          assertThat(rollback.reason())
              .isEqualTo(RollbackAttackException.Reason.OLDER_LISTED_VERSION);
          assertThat(rollback.role()).isEqualTo("snapshot");
          assertThat(rollback.trustedVersion()).isEqualTo(2);
          assertThat(rollback.foundVersion()).hasValue(1);
          assertThat(rollback.kind()).isEqualTo("rollback-attack");
        });
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  /**
   * The timestamp is the usual guard of the snapshot version; when the client has lost it (here:
   * deleted, as after a timestamp key rotation makes the stored one unverifiable), the trusted
   * snapshot itself must stop a replayed older snapshot, even one listing the same targets versions
   * (a re-signed snapshot that only extended its expiry).
   */
  @Test
  void refresh_snapshotVersionGoesBackWithoutTimestampReference_throwsRollbackAndKeepsSnapshot() {
    fixture.timestampVersion = 3;
    fixture.snapshotVersion = 3;
    fixture.publish(); // snapshot 3 lists the same targets versions as snapshot 2
    TufClient client = fixture.client();
    client.refresh();
    byte[] trustedSnapshot = fixture.store.load("snapshot").orElseThrow();
    fixture.store.delete("timestamp");
    // Replay: an old but unexpired timestamp 1 naming snapshot 1, both correctly signed.
    fixture.timestampVersion = 1;
    fixture.snapshotVersion = 1;
    fixture.publish();
    byte[] replayedTimestamp = fixture.published("timestamp.json");
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining("snapshot metadata version 1 is older than trusted version 3");
    // The replayed timestamp verified with nothing to compare against, so it was stored (each
    // role persists as it verifies); the older snapshot was not.
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", replayedTimestamp));
    assertThat(fixture.store.load("snapshot")).hasValue(trustedSnapshot);
  }

  @Test
  void refresh_snapshotNamesOlderTargets_throwsRollbackAndKeepsSnapshot() {
    fixture.timestampVersion = 3;
    fixture.snapshotVersion = 3;
    fixture.targetsVersion = 1;
    fixture.publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining("names targets.json version 1, older than trusted version 2");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }

  @Test
  void refresh_snapshotNamesOlderDelegatedRole_throwsRollbackAndKeepsSnapshot() {
    fixture.timestampVersion = 3;
    fixture.snapshotVersion = 3;
    fixture.delegatedVersions.put("apps", 1L);
    fixture.publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining("names apps.json version 1, older than trusted version 2");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }

  @Test
  void refresh_snapshotDropsDelegatedRole_throwsRollbackAndKeepsSnapshot() {
    fixture.timestampVersion = 3;
    fixture.snapshotVersion = 3;
    fixture.delegations.clear();
    fixture.delegatedKeys.clear();
    fixture.publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining("no longer lists apps.json");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }

  @Test
  void refresh_rootFileNamedTwoHoldsVersionOne_throwsRollbackAndStoresNothing() {
    fixture.put("2.root.json", fixture.published("1.root.json"));
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(RollbackAttackException.class)
        .hasMessageContaining("2.root.json has version 1");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }
}
