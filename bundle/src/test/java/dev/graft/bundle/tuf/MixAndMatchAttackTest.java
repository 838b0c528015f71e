package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.HashMismatchException;
import dev.graft.bundle.MixAndMatchException;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mix-and-match attack: correctly signed files from different releases served together. The client
 * trusts release 1; the repository has published release 2, and a mirror swaps one of its files for
 * the release-1 file of the same role.
 */
class MixAndMatchAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();
  private StoreContents before;

  @BeforeEach
  void trustReleaseOneAndPublishTwo() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.delegate(
        "apps", List.of("apps/delegated/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("apps", "apps/delegated/b.graft", "b");
    fixture.timestampListsSnapshotHashes = false;
    fixture.initialise().publish();
    TufClient client = fixture.client();
    client.refresh();
    client.requireTarget("apps/delegated/b.graft");
    before = StoreContents.of(fixture.store);
    fixture.delegatedVersions.put("apps", 2L);
    fixture.publishNext();
  }

  @Test
  void refresh_targetsVersionDiffersFromSnapshot_throwsMixAndMatchAndKeepsTargets() {
    fixture.put("2.targets.json", fixture.published("1.targets.json"));

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(MixAndMatchException.class)
        .hasMessageContaining(
            "targets metadata has version 1 but snapshot version 2 names version 2");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(
            before
                .with("timestamp", fixture.published("timestamp.json"))
                .with("snapshot", fixture.published("2.snapshot.json")));
  }

  @Test
  void findTarget_delegatedVersionDiffersFromSnapshot_throwsMixAndMatchAndKeepsRole() {
    fixture.put("2.apps.json", fixture.published("1.apps.json"));
    TufClient client = fixture.client();
    client.refresh();
    StoreContents refreshed = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client.findTarget("apps/delegated/b.graft"))
        .isExactlyInstanceOf(MixAndMatchException.class)
        .hasMessageContaining("apps metadata has version 1 but snapshot version 2 names version 2");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(refreshed);
    assertThat(fixture.store.load("apps")).hasValue(before.file("apps").orElseThrow());
  }

  @Test
  void refresh_snapshotVersionDiffersFromTimestamp_throwsMixAndMatchAndKeepsSnapshot() {
    // This timestamp names the snapshot by version only, so the version is all that binds them.
    fixture.put("2.snapshot.json", fixture.published("1.snapshot.json"));

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(MixAndMatchException.class)
        .hasMessageContaining("snapshot metadata has version 1 but timestamp version ")
        .hasMessageContaining(" names version 2 — possible mix-and-match attack; refusing update");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }

  @Test
  void refresh_snapshotSwappedUnderTimestampWithHashes_throwsHashMismatchAndKeepsSnapshot() {
    fixture.timestampListsSnapshotHashes = true;
    fixture.timestampVersion = 3;
    fixture.publish();
    fixture.put("2.snapshot.json", fixture.published("1.snapshot.json"));

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(HashMismatchException.class)
        .hasMessageContaining("snapshot metadata");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }
}
