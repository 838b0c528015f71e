package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.testing.CapIgnoringRepository;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Endless data attack: a file larger than the client allows. Every case runs twice: against the
 * in-memory repository, which honours the length cap it is given, and against one that ignores it
 * and hands over everything — the client must refuse on its own.
 */
class EndlessDataAttackTest {
  private static final String PATH = "apps/a.graft";

  private final RepositoryFixture fixture = new RepositoryFixture();

  private TufClient client(boolean repositoryHonoursCap) {
    Repository repository =
        repositoryHonoursCap ? fixture.repository : new CapIgnoringRepository(fixture.repository);
    return TufClient.builder()
        .repository(repository)
        .store(fixture.store)
        .clock(RepositoryFixture.CLOCK)
        .build();
  }

  private StoreContents trustReleaseOne() {
    fixture.addTarget(PATH, "released");
    fixture.initialise().publish();
    fixture.client().refresh();
    return StoreContents.of(fixture.store);
  }

  /** Trailing whitespace keeps the file valid, correctly signed JSON: only its size is wrong. */
  private static byte[] padded(byte[] bytes, int extra) {
    byte[] out = Arrays.copyOf(bytes, bytes.length + extra);
    Arrays.fill(out, bytes.length, out.length, (byte) ' ');
    return out;
  }

  @ParameterizedTest(name = "repository honours cap: {0}")
  @ValueSource(booleans = {true, false})
  void refresh_timestampLongerThanLimit_throwsEndlessDataAndStoresNothing(boolean honoursCap) {
    StoreContents before = trustReleaseOne();
    fixture.publishNext();
    byte[] timestamp = fixture.published("timestamp.json");
    fixture.put(
        "timestamp.json",
        padded(timestamp, (int) Limits.DEFAULT.timestampMaxLength() - timestamp.length + 1));

    assertThatThrownBy(() -> client(honoursCap).refresh())
        .isExactlyInstanceOf(EndlessDataException.class)
        .hasMessageContaining(
            "timestamp.json is longer than the "
                + Limits.DEFAULT.timestampMaxLength()
                + " bytes allowed");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @ParameterizedTest(name = "repository honours cap: {0}")
  @ValueSource(booleans = {true, false})
  void refresh_snapshotLongerThanTimestampSays_throwsEndlessDataAndKeepsSnapshot(
      boolean honoursCap) {
    StoreContents before = trustReleaseOne();
    fixture.publishNext();
    byte[] snapshot = fixture.published("2.snapshot.json");
    fixture.put("2.snapshot.json", padded(snapshot, 1));

    assertThatThrownBy(() -> client(honoursCap).refresh())
        .isExactlyInstanceOf(EndlessDataException.class)
        .hasMessageContaining("2.snapshot.json is longer than the " + snapshot.length);
    // The new timestamp verified before the snapshot was fetched, so it is trusted now.
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }

  @ParameterizedTest(name = "repository honours cap: {0}")
  @ValueSource(booleans = {true, false})
  void refresh_timestampStatesSnapshotLengthAboveCap_throwsEndlessDataAtTheCap(boolean honoursCap) {
    StoreContents before = trustReleaseOne();
    fixture.publishNext();
    int snapshotLength = fixture.published("2.snapshot.json").length;
    Limits tight =
        new Limits(
            Limits.DEFAULT.rootMaxLength(),
            Limits.DEFAULT.timestampMaxLength(),
            snapshotLength - 1,
            Limits.DEFAULT.targetsMaxLength(),
            Limits.DEFAULT.maxRootRotations(),
            Limits.DEFAULT.maxDelegations());
    Repository repository =
        honoursCap ? fixture.repository : new CapIgnoringRepository(fixture.repository);
    TufClient client =
        TufClient.builder()
            .repository(repository)
            .store(fixture.store)
            .clock(RepositoryFixture.CLOCK)
            .limits(tight)
            .build();

    // The (correctly signed) timestamp states the true length, but a signed length never
    // lifts the configured cap: a stolen timestamp key must not raise what is downloaded.
    assertThatThrownBy(client::refresh)
        .isExactlyInstanceOf(EndlessDataException.class)
        .hasMessageContaining("is longer than the " + (snapshotLength - 1) + " bytes allowed");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }

  @ParameterizedTest(name = "repository honours cap: {0}")
  @ValueSource(booleans = {true, false})
  void refresh_targetsLongerThanSnapshotSays_throwsEndlessDataAndKeepsTargets(boolean honoursCap) {
    fixture.snapshotListsHashes = true;
    StoreContents before = trustReleaseOne();
    fixture.publishNext();
    byte[] targets = fixture.published("2.targets.json");
    fixture.put("2.targets.json", padded(targets, 1));

    assertThatThrownBy(() -> client(honoursCap).refresh())
        .isExactlyInstanceOf(EndlessDataException.class)
        .hasMessageContaining("2.targets.json is longer than the " + targets.length);
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(
            before
                .with("timestamp", fixture.published("timestamp.json"))
                .with("snapshot", fixture.published("2.snapshot.json")));
  }

  @ParameterizedTest(name = "repository honours cap: {0}")
  @ValueSource(booleans = {true, false})
  void downloadTarget_longerThanItsLength_throwsEndlessDataAndStoresNothing(boolean honoursCap) {
    StoreContents before = trustReleaseOne();
    TufClient client = client(honoursCap);
    client.refresh();
    TargetFile target = client.requireTarget(PATH);
    byte[] endless = new byte[(int) target.length() * 1000];
    Arrays.fill(endless, (byte) 'x');
    fixture.repository.putTarget(RepositoryFixture.hashPrefixed(target), endless);

    assertThatThrownBy(() -> client.downloadTarget(target))
        .isExactlyInstanceOf(EndlessDataException.class)
        .hasMessageContaining("is longer than the " + target.length() + " bytes allowed");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
    assertThat("released".getBytes(StandardCharsets.UTF_8)).hasSize((int) target.length());
  }

  @ParameterizedTest(name = "repository honours cap: {0}")
  @ValueSource(booleans = {true, false})
  void refresh_rootLongerThanLimit_throwsEndlessDataAndStoresNothing(boolean honoursCap) {
    StoreContents before = trustReleaseOne();
    fixture.rootVersion = 2;
    byte[] root = fixture.publishRoot();
    fixture.put(
        "2.root.json", padded(root, (int) Limits.DEFAULT.rootMaxLength() - root.length + 1));

    assertThatThrownBy(() -> client(honoursCap).refresh())
        .isExactlyInstanceOf(EndlessDataException.class)
        .hasMessageContaining("2.root.json is longer than the");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }
}
