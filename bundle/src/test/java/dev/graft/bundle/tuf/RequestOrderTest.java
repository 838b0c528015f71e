package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.testing.RepositoryFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the client downloads and in which order (TUF 1.0 section 5): the root chain until a version
 * is missing, then timestamp, snapshot and targets, delegated roles in pre-order as a lookup needs
 * them, and the target by its hash-prefixed name.
 */
class RequestOrderTest {
  private static final String PATH = "apps/x.graft";

  private final RepositoryFixture fixture = new RepositoryFixture();

  /** targets → [a → [a1], b], all for apps/*; the target is listed by b only. */
  private void publishTree() {
    fixture.delegate("a", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("a", "a1", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("b", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("b", PATH, "x");
    fixture.initialise().publish();
    fixture.rootVersion = 2;
    fixture.publishRoot();
    fixture.rootVersion = 3;
    fixture.publishRoot();
    fixture.publishNext();
  }

  private List<String> refreshAndDownload() {
    TufClient client = fixture.client();
    client.refresh();
    TargetFile target = client.requireTarget(PATH);
    client.downloadTarget(target);
    return fixture.repository.requests();
  }

  @Test
  void refreshAndDownload_consistentSnapshots_requestsVersionedAndHashPrefixedNames() {
    publishTree();

    List<String> requests = refreshAndDownload();

    String sha256 = RepositoryFixture.sha256("x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(requests)
        .containsExactly(
            "2.root.json",
            "3.root.json",
            "4.root.json",
            "timestamp.json",
            "2.snapshot.json",
            "2.targets.json",
            "1.a.json",
            "1.a1.json",
            "1.b.json",
            "targets/apps/" + sha256 + ".x.graft");
  }

  @Test
  void refreshAndDownload_withoutConsistentSnapshots_requestsPlainNames() {
    fixture.consistentSnapshot = false;
    publishTree();

    List<String> requests = refreshAndDownload();

    assertThat(requests)
        .containsExactly(
            "2.root.json",
            "3.root.json",
            "4.root.json",
            "timestamp.json",
            "snapshot.json",
            "targets.json",
            "a.json",
            "a1.json",
            "b.json",
            "targets/" + PATH);
  }

  @Test
  void refresh_nothingNew_loadsSnapshotTargetsAndDelegationsFromStore() {
    publishTree();
    refreshAndDownload();
    fixture.repository.clearRequests();

    TufClient client = fixture.client();
    client.refresh();
    client.requireTarget(PATH);

    assertThat(fixture.repository.requests()).containsExactly("4.root.json", "timestamp.json");
  }

  @Test
  void refresh_newTimestampSameSnapshot_downloadsOnlyTimestamp() {
    publishTree();
    refreshAndDownload();
    fixture.timestampVersion++;
    fixture.publish();
    fixture.repository.clearRequests();

    TufClient client = fixture.client();
    client.refresh();

    assertThat(fixture.repository.requests()).containsExactly("4.root.json", "timestamp.json");
    assertThat(client.timestamp().orElseThrow().version()).isEqualTo(3);
    assertThat(fixture.store.load("timestamp")).hasValue(fixture.published("timestamp.json"));
  }

  @Test
  void refresh_newSnapshotSameTargets_downloadsSnapshotButNotTargets() {
    publishTree();
    refreshAndDownload();
    fixture.timestampVersion++;
    fixture.snapshotVersion++;
    fixture.publish();
    fixture.repository.clearRequests();

    fixture.client().refresh();

    assertThat(fixture.repository.requests())
        .containsExactly("4.root.json", "timestamp.json", "3.snapshot.json");
  }
}
