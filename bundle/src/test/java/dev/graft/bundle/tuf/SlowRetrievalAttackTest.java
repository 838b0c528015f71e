package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slow retrieval attack: a repository that trickles bytes so an update never finishes. Defending
 * against it is the {@link Repository}'s job, not the client's: the client is transport-neutral and
 * has no sockets to time out, while the HTTP and MQTT repositories (in {@code tufclient}) own
 * connect, read and overall deadlines and turn an expired one into a {@link RepositoryException}.
 * What the client must guarantee is the other half: such a failure, at any step, leaves the trusted
 * state exactly as the steps before it left it.
 */
class SlowRetrievalAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();

  /** Serves the fixture's files but times out on one of them. */
  private Repository timingOutOn(String fileName) {
    return new Repository() {
      @Override
      public Optional<byte[]> fetchMetadata(String roleName, OptionalLong version, long maxLength) {
        String name = (version.isPresent() ? version.getAsLong() + "." : "") + roleName + ".json";
        if (name.equals(fileName)) {
          throw new RepositoryException("reading " + name + " timed out after 30 s");
        }
        return fixture.repository.fetchMetadata(roleName, version, maxLength);
      }

      @Override
      public byte[] fetchTarget(String path, long maxLength) {
        if (("targets/" + path).equals(fileName)) {
          throw new RepositoryException("reading " + path + " timed out after 30 s");
        }
        return fixture.repository.fetchTarget(path, maxLength);
      }
    };
  }

  private TufClient client(Repository repository) {
    return TufClient.builder()
        .repository(repository)
        .store(fixture.store)
        .clock(RepositoryFixture.CLOCK)
        .build();
  }

  @BeforeEach
  void trustReleaseOneAndPublishTwo() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise().publish();
    fixture.client().refresh();
    fixture.publishNext();
  }

  @Test
  void refresh_timestampTimesOut_throwsRepositoryExceptionAndStoresNothing() {
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client(timingOutOn("timestamp.json")).refresh())
        .isExactlyInstanceOf(RepositoryException.class)
        .hasMessageContaining("timed out");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_rootTimesOut_throwsRepositoryExceptionAndStoresNothing() {
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client(timingOutOn("2.root.json")).refresh())
        .isExactlyInstanceOf(RepositoryException.class);
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_snapshotTimesOut_throwsRepositoryExceptionAndKeepsSnapshot() {
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client(timingOutOn("2.snapshot.json")).refresh())
        .isExactlyInstanceOf(RepositoryException.class);
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }

  @Test
  void downloadTarget_targetTimesOut_throwsRepositoryExceptionAndStoresNothing() {
    TufClient client = client(timingOutOn("targets/" + hashPrefixedTarget()));
    client.refresh();
    StoreContents before = StoreContents.of(fixture.store);
    TargetFile target = client.requireTarget("apps/a.graft");

    assertThatThrownBy(() -> client.downloadTarget(target))
        .isExactlyInstanceOf(RepositoryException.class);
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  private String hashPrefixedTarget() {
    return RepositoryFixture.hashPrefixed(
        fixture.targetFile("apps/a.graft", fixture.targetFiles.get("apps/a.graft")));
  }
}
