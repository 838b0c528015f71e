package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.BadSignatureException;
import dev.graft.bundle.ExpiredMetadataException;
import dev.graft.bundle.HashMismatchException;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.MixAndMatchException;
import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each role is persisted as soon as it verifies, in the specification's order, and a file that
 * fails any check never replaces the trusted one.
 */
class PersistenceTest {
  private static final String DELEGATED_PATH = "apps/delegated/b.graft";
  private static final Signer ATTACKER = RepositoryFixture.newCompositeKey();

  /** Roles in the order the client updates them. */
  private static final List<String> ORDER =
      List.of("root", "timestamp", "snapshot", "targets", "apps");

  /** The file release 2 publishes for each role after root. */
  private static final Map<String, String> RELEASE_TWO_FILES =
      Map.of(
          "timestamp", "timestamp.json",
          "snapshot", "2.snapshot.json",
          "targets", "2.targets.json",
          "apps", "2.apps.json");

  private final RepositoryFixture fixture = new RepositoryFixture();

  private void trustReleaseOne() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.delegate(
        "apps", List.of("apps/delegated/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("apps", DELEGATED_PATH, "b");
    fixture.initialise().publish();
    TufClient client = fixture.client();
    client.refresh();
    client.requireTarget(DELEGATED_PATH);
  }

  @Test
  void refresh_success_storesExactlyTopLevelRolesAsPublished() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise().publish();

    fixture.client().refresh();

    assertThat(fixture.store.roleNames())
        .containsExactlyInAnyOrder("root", "timestamp", "snapshot", "targets");
    assertThat(fixture.store.load("root")).hasValue(fixture.published("1.root.json"));
    assertThat(fixture.store.load("timestamp")).hasValue(fixture.published("timestamp.json"));
    assertThat(fixture.store.load("snapshot")).hasValue(fixture.published("1.snapshot.json"));
    assertThat(fixture.store.load("targets")).hasValue(fixture.published("1.targets.json"));
  }

  @Test
  void findTarget_delegatedRole_storesItOnceVerified() {
    trustReleaseOne();

    assertThat(fixture.store.roleNames())
        .containsExactlyInAnyOrder("root", "timestamp", "snapshot", "targets", "apps");
    assertThat(fixture.store.load("apps")).hasValue(fixture.published("1.apps.json"));
  }

  @Test
  void refresh_failureAtSnapshotStep_storesTimestampButNotSnapshot() {
    fixture.timestampListsSnapshotHashes = false;
    fixture.signing.put(RoleType.SNAPSHOT, s -> RepositoryFixture.sign(s, List.of(ATTACKER)));
    fixture.initialise().publish();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class);
    assertThat(fixture.store.roleNames()).containsExactlyInAnyOrder("root", "timestamp");
    assertThat(fixture.store.load("timestamp")).hasValue(fixture.published("timestamp.json"));
  }

  @Test
  void refresh_failureAtTargetsStep_storesTimestampAndSnapshotButNotTargets() {
    fixture.signing.put(RoleType.TARGETS, s -> RepositoryFixture.sign(s, List.of(ATTACKER)));
    fixture.initialise().publish();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class);
    assertThat(fixture.store.roleNames())
        .containsExactlyInAnyOrder("root", "timestamp", "snapshot");
    assertThat(fixture.store.load("snapshot")).hasValue(fixture.published("1.snapshot.json"));
  }

  @Test
  void findTarget_afterRefreshWasRefused_refusesAgainWithSameTrustException() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise().publish();
    fixture.client().refresh();
    fixture.signing.put(RoleType.TIMESTAMP, s -> RepositoryFixture.sign(s, List.of(ATTACKER)));
    fixture.publishNext();
    TufClient client = fixture.client();
    assertThatThrownBy(client::refresh).isExactlyInstanceOf(ThresholdException.class);
    StoreContents before = StoreContents.of(fixture.store);

    // A caller that looks up a target anyway gets the refusal again, not a stale answer and not
    // an unchecked IllegalStateException from half-loaded state.
    assertThatThrownBy(() -> client.findTarget("apps/a.graft"))
        .isExactlyInstanceOf(ThresholdException.class);
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  /** One way to publish a broken release 2, the role whose file it breaks, and the refusal. */
  record Attack(
      String role, Consumer<RepositoryFixture> publish, Class<? extends TrustException> refusal) {}

  static Stream<Arguments> attacks() {
    return Stream.of(
        attack(
            "root re-signed by an attacker",
            new Attack(
                "root",
                f -> {
                  f.rootVersion = 2;
                  f.rootSigners = List.of(ATTACKER);
                  f.publishRoot();
                  release(f);
                },
                ThresholdException.class)),
        attack(
            "timestamp re-signed by an attacker",
            new Attack(
                "timestamp",
                f -> {
                  f.signing.put(
                      RoleType.TIMESTAMP, s -> RepositoryFixture.sign(s, List.of(ATTACKER)));
                  release(f);
                },
                ThresholdException.class)),
        attack(
            "timestamp with a duplicate signature",
            new Attack(
                "timestamp",
                f -> {
                  Signer key = f.keys.get(RoleType.TIMESTAMP).getFirst();
                  f.signing.put(
                      RoleType.TIMESTAMP,
                      s ->
                          RepositoryFixture.signAs(
                              s,
                              List.of(Map.entry(key.keyId(), key), Map.entry(key.keyId(), key))));
                  release(f);
                },
                BadSignatureException.class)),
        attack(
            "timestamp that is not JSON",
            new Attack(
                "timestamp",
                f -> {
                  release(f);
                  f.put("timestamp.json", "{\"signed\":".getBytes(StandardCharsets.UTF_8));
                },
                JsonFormatException.class)),
        attack(
            "timestamp already expired",
            new Attack(
                "timestamp",
                f -> {
                  f.expiresFor.put(RoleType.TIMESTAMP, RepositoryFixture.NOW);
                  release(f);
                },
                ExpiredMetadataException.class)),
        attack(
            "snapshot re-signed by an attacker",
            new Attack(
                "snapshot",
                f -> {
                  f.timestampListsSnapshotHashes = false;
                  f.signing.put(
                      RoleType.SNAPSHOT, s -> RepositoryFixture.sign(s, List.of(ATTACKER)));
                  release(f);
                },
                ThresholdException.class)),
        attack(
            "snapshot bytes swapped",
            new Attack(
                "snapshot",
                f -> {
                  release(f);
                  byte[] other = f.published("2.snapshot.json");
                  other[other.length - 2] ^= 1;
                  f.put("2.snapshot.json", other);
                },
                HashMismatchException.class)),
        attack(
            "snapshot already expired",
            new Attack(
                "snapshot",
                f -> {
                  f.expiresFor.put(RoleType.SNAPSHOT, RepositoryFixture.NOW);
                  release(f);
                },
                ExpiredMetadataException.class)),
        attack(
            "targets re-signed by an attacker",
            new Attack(
                "targets",
                f -> {
                  f.signing.put(
                      RoleType.TARGETS, s -> RepositoryFixture.sign(s, List.of(ATTACKER)));
                  release(f);
                },
                ThresholdException.class)),
        attack(
            "targets of release 1 served as release 2",
            new Attack(
                "targets",
                f -> {
                  release(f);
                  f.put("2.targets.json", f.published("1.targets.json"));
                },
                MixAndMatchException.class)),
        attack(
            "targets already expired",
            new Attack(
                "targets",
                f -> {
                  f.expiresFor.put(RoleType.TARGETS, RepositoryFixture.NOW);
                  release(f);
                },
                ExpiredMetadataException.class)),
        attack(
            "delegated role re-signed by an attacker",
            new Attack(
                "apps",
                f -> {
                  f.delegatedSigners.put("apps", List.of(ATTACKER));
                  release(f);
                },
                ThresholdException.class)),
        attack(
            "delegated role of release 1 served as release 2",
            new Attack(
                "apps",
                f -> {
                  release(f);
                  f.put("2.apps.json", f.published("1.apps.json"));
                },
                MixAndMatchException.class)));
  }

  private static Arguments attack(String name, Attack attack) {
    return Arguments.of(Named.of(name, attack));
  }

  private static void release(RepositoryFixture f) {
    f.delegatedVersions.put("apps", 2L);
    f.publishNext();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void refreshAndFindTarget_rejectedFile_neverReplacesTrustedOne(Attack attack) {
    trustReleaseOne();
    StoreContents before = StoreContents.of(fixture.store);
    attack.publish().accept(fixture);

    assertThatThrownBy(
            () -> {
              TufClient client = fixture.client();
              client.refresh();
              client.findTarget(DELEGATED_PATH);
            })
        .isExactlyInstanceOf(attack.refusal());

    StoreContents after = StoreContents.of(fixture.store);
    int attacked = ORDER.indexOf(attack.role());
    for (int i = 0; i < ORDER.size(); i++) {
      String role = ORDER.get(i);
      byte[] stored = after.file(role).orElseThrow();
      if (i >= attacked || role.equals("root")) {
        // The rejected file, everything the client would have updated after it, and root, which
        // only the root attack touches.
        assertThat(stored).as(role).isEqualTo(before.file(role).orElseThrow());
      } else {
        // Roles before it were updated only to the files release 2 really published.
        assertThat(stored).as(role).isEqualTo(fixture.published(RELEASE_TWO_FILES.get(role)));
      }
    }
  }
}
