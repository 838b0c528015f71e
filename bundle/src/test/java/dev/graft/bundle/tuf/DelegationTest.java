package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.TargetNotFoundException;
import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.testing.RepositoryFixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Walking the delegation tree to find a target (TUF 1.0 section 5.6.7). */
class DelegationTest {
  private static final String PATH = "apps/x.graft";

  private final RepositoryFixture fixture = new RepositoryFixture();

  private TufClient refreshedClient() {
    fixture.initialise().publish();
    TufClient client = fixture.client();
    client.refresh();
    fixture.repository.clearRequests();
    return client;
  }

  private static String sha256(String content) {
    return RepositoryFixture.sha256(content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void findTarget_listedInTwoBranches_takesFirstInPreOrder() {
    // targets → [a → [a1 → [a2]], b]; a2 and b both list the path.
    fixture.delegate("a", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("a", "a1", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("a1", "a2", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("b", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("a2", PATH, "from a2");
    fixture.addDelegatedTarget("b", PATH, "from b");
    TufClient client = refreshedClient();

    TargetFile found = client.requireTarget(PATH);

    assertThat(found.hashes().get("sha256")).isEqualTo(sha256("from a2"));
    assertThat(fixture.repository.requests()).containsExactly("1.a.json", "1.a1.json", "1.a2.json");
  }

  @Test
  void findTarget_listedOnlyInLaterSibling_visitsWholeFirstBranchFirst() {
    fixture.delegate("a", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("a", "a1", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("b", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("b", PATH, "from b");
    TufClient client = refreshedClient();

    assertThat(client.requireTarget(PATH).hashes().get("sha256")).isEqualTo(sha256("from b"));
    assertThat(fixture.repository.requests()).containsExactly("1.a.json", "1.a1.json", "1.b.json");
  }

  @Test
  void findTarget_nestedTerminatingDelegation_stopsAncestorsSiblingsToo() {
    fixture.delegate("a", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("a", "a1", List.of("apps/*"), true, RepositoryFixture.newCompositeKey());
    fixture.delegate("b", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("b", PATH, "from b");
    TufClient client = refreshedClient();

    assertThat(client.findTarget(PATH)).isEmpty();
    assertThat(fixture.repository.requests()).containsExactly("1.a.json", "1.a1.json");
  }

  @Test
  void findTarget_cycleBetweenTwoRoles_terminatesVisitingEachOnce() {
    Signer keyA = RepositoryFixture.newCompositeKey();
    Signer keyB = RepositoryFixture.newCompositeKey();
    fixture.delegate("a", List.of("apps/*"), false, keyA);
    fixture.delegate("a", "b", List.of("apps/*"), false, keyB);
    fixture.delegate("b", "a", List.of("apps/*"), false, keyA);
    TufClient client = refreshedClient();

    assertThat(client.findTarget(PATH)).isEmpty();
    assertThat(fixture.repository.requests()).containsExactly("1.a.json", "1.b.json");
  }

  /** targets → a → b → c → d, the path listed by d: five roles to visit. */
  private void publishChain() {
    fixture.delegate("a", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("a", "b", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("b", "c", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegate("c", "d", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("d", PATH, "deep");
    fixture.initialise().publish();
  }

  private static Limits maxDelegations(int max) {
    Limits d = Limits.DEFAULT;
    return new Limits(
        d.rootMaxLength(),
        d.timestampMaxLength(),
        d.snapshotMaxLength(),
        d.targetsMaxLength(),
        d.maxRootRotations(),
        max);
  }

  @Test
  void findTarget_deeperThanMaxDelegations_stopsAtCap() {
    publishChain();
    TufClient client = fixture.clientBuilder().limits(maxDelegations(3)).build();

    assertThatThrownBy(() -> client.requireTarget(PATH))
        .isExactlyInstanceOf(TargetNotFoundException.class);
    // targets, a and b count three roles; c and d are never fetched.
    assertThat(fixture.repository.requests())
        .contains("1.targets.json", "1.a.json", "1.b.json")
        .doesNotContain("1.c.json", "1.d.json");
  }

  @Test
  void findTarget_withinMaxDelegations_findsDeepTarget() {
    publishChain();
    TufClient client = fixture.clientBuilder().limits(maxDelegations(5)).build();

    assertThat(client.requireTarget(PATH).hashes().get("sha256")).isEqualTo(sha256("deep"));
  }

  @Test
  void findTarget_pathHashPrefixes_trustsOnlyPathsWithMatchingHash() {
    String other = "apps/y.graft";
    String prefix = sha256(PATH).substring(0, 2);
    assertThat(sha256(other)).doesNotStartWith(prefix);
    fixture.delegateByHashPrefix(
        "targets", "bin", List.of(prefix), RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("bin", PATH, "x");
    fixture.addDelegatedTarget("bin", other, "y");
    TufClient client = refreshedClient();

    assertThat(client.findTarget(PATH)).isPresent();
    assertThat(client.findTarget(other)).isEmpty();
  }

  @Test
  void findTarget_starPattern_doesNotCrossDirectories() {
    fixture.delegate("apps", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("apps", PATH, "x");
    fixture.addDelegatedTarget("apps", "apps/sub/x.graft", "nested");
    TufClient client = refreshedClient();

    assertThat(client.findTarget(PATH)).isPresent();
    assertThat(client.findTarget("apps/sub/x.graft")).isEmpty();
  }

  @Test
  void findTarget_delegatedRoleSignedByOtherKey_throwsThreshold() {
    fixture.delegate("apps", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.delegatedSigners.put("apps", List.of(RepositoryFixture.newCompositeKey()));
    fixture.addDelegatedTarget("apps", PATH, "x");
    TufClient client = refreshedClient();

    assertThatThrownBy(() -> client.findTarget(PATH))
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("apps metadata version 1");
    assertThat(fixture.store.roleNames()).doesNotContain("apps");
  }

  @Test
  void findTarget_topLevelListsPath_neverFetchesDelegations() {
    fixture.addTarget(PATH, "top");
    fixture.delegate("apps", List.of("apps/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("apps", PATH, "delegated");
    TufClient client = refreshedClient();

    Optional<TargetFile> found = client.findTarget(PATH);

    assertThat(found).map(t -> t.hashes().get("sha256")).hasValue(sha256("top"));
    assertThat(fixture.repository.requests()).isEmpty();
  }
}
