package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.HybridRequiredException;
import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import dev.graft.bundle.testing.TestSigner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Composite (ML-DSA-65 + Ed25519) signatures count only when both halves verify, and the offline
 * roles must list composite keys only unless the hybrid rule is turned off.
 */
class HybridKeysTest {
  private final RepositoryFixture fixture = new RepositoryFixture();

  @Test
  void refresh_compositeSignatureWithCorruptMlDsaHalf_throwsThreshold() {
    corruptTimestampSignatureAt(10);
  }

  @Test
  void refresh_compositeSignatureWithCorruptEd25519Half_throwsThreshold() {
    corruptTimestampSignatureAt(CompositeMlDsa.MLDSA_SIGNATURE_BYTES + 10);
  }

  private void corruptTimestampSignatureAt(int index) {
    Signer key = fixture.keys.get(RoleType.TIMESTAMP).getFirst();
    // Same public key in root, but every signature it makes has one byte flipped.
    fixture.keys.put(RoleType.TIMESTAMP, List.of(TestSigner.corrupting(key, index)));
    fixture.initialise().publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("timestamp metadata version 1 has valid signatures from 0");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void initialize_rootRoleListsEd25519Key_throwsHybridRequiredAndStoresNothing() {
    fixture.keys.put(RoleType.ROOT, List.of(RepositoryFixture.newEd25519Key()));
    fixture.rootSigners = fixture.keys.get(RoleType.ROOT);

    assertThatThrownBy(() -> fixture.initialise(true))
        .isExactlyInstanceOf(HybridRequiredException.class)
        .hasMessageContaining("role root")
        .hasMessageContaining("'ed25519'");
    assertThat(fixture.store.roleNames()).isEmpty();
  }

  @Test
  void initialize_targetsRoleListsEd25519Key_throwsHybridRequired() {
    fixture.keys.put(RoleType.TARGETS, List.of(RepositoryFixture.newEd25519Key()));

    assertThatThrownBy(() -> fixture.initialise(true))
        .isExactlyInstanceOf(HybridRequiredException.class)
        .hasMessageContaining("role targets");
    assertThat(fixture.store.roleNames()).isEmpty();
  }

  @Test
  void refresh_classicalRootAndTargetsWithHybridOff_accepted() {
    fixture.keys.put(RoleType.ROOT, List.of(RepositoryFixture.newEd25519Key()));
    fixture.rootSigners = fixture.keys.get(RoleType.ROOT);
    fixture.keys.put(RoleType.TARGETS, List.of(RepositoryFixture.newEd25519Key()));
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise(false).publish();

    TufClient client = fixture.clientBuilder().requireHybrid(false).build();
    client.refresh();

    assertThat(client.requireTarget("apps/a.graft").length()).isEqualTo(1);
  }

  @Test
  void build_storedClassicalRootWithHybridRequired_throwsHybridRequired() {
    fixture.keys.put(RoleType.TARGETS, List.of(RepositoryFixture.newEd25519Key()));
    fixture.initialise(false).publish();

    assertThatThrownBy(() -> fixture.client()).isExactlyInstanceOf(HybridRequiredException.class);
  }

  @Test
  void refresh_rotationToRootListingEd25519TargetsKey_throwsHybridRequiredAndStoresNothing() {
    fixture.initialise().publish();
    fixture.client().refresh();
    fixture.keys.put(RoleType.TARGETS, List.of(RepositoryFixture.newEd25519Key()));
    fixture.rootVersion = 2;
    fixture.publishRoot();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(HybridRequiredException.class)
        .hasMessageContaining("root version 2 role targets");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_targetsThresholdMetOnlyByClassicalKey_hybridRequiredUnlessTurnedOff() {
    Signer composite = fixture.keys.get(RoleType.TARGETS).getFirst();
    Signer classical = RepositoryFixture.newEd25519Key();
    fixture.keys.put(RoleType.TARGETS, List.of(composite, classical));
    fixture.signing.put(RoleType.TARGETS, s -> RepositoryFixture.sign(s, List.of(classical)));
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise(false).publish();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(HybridRequiredException.class);
    TufClient lenient = fixture.clientBuilder().requireHybrid(false).build();
    lenient.refresh();
    assertThat(lenient.requireTarget("apps/a.graft").length()).isEqualTo(1);
  }

  @Test
  void findTarget_grantsDelegatedToClassicalKey_throwsHybridRequired() {
    fixture.delegate("grants", List.of("grants/*"), false, RepositoryFixture.newEd25519Key());
    fixture.addDelegatedTarget("grants", "grants/gw-1.yaml", "devices: {}");
    fixture.initialise().publish();
    TufClient client = fixture.client();
    client.refresh();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client.findTarget("grants/gw-1.yaml"))
        .isExactlyInstanceOf(HybridRequiredException.class)
        .hasMessageContaining("delegation from targets to grants");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void findTarget_grantsDelegatedToCompositeKey_found() {
    fixture.delegate("grants", List.of("grants/*"), false, RepositoryFixture.newCompositeKey());
    fixture.addDelegatedTarget("grants", "grants/gw-1.yaml", "devices: {}");
    fixture.initialise().publish();
    TufClient client = fixture.client();

    assertThat(client.findTarget("grants/gw-1.yaml")).isPresent();
  }

  /**
   * Every delegated targets role of a hybrid repository is an offline role that authorises code,
   * not only the ones a caller names: an Ed25519-only role of the image repository is refused.
   */
  @Test
  void findTarget_imageRepositoryRoleDelegatedToClassicalKey_throwsHybridRequired() {
    fixture.delegate("apps", List.of("apps/*"), false, RepositoryFixture.newEd25519Key());
    fixture.addDelegatedTarget("apps", "apps/a.graft", "code");
    fixture.initialise().publish();
    TufClient client = fixture.client();
    client.refresh();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client.findTarget("apps/a.graft"))
        .isExactlyInstanceOf(HybridRequiredException.class)
        .hasMessageContaining("delegation from targets to apps")
        .hasMessageContaining("'ed25519'");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void findTarget_classicalDelegationWithHybridRuleOff_found() {
    fixture.delegate("apps", List.of("apps/*"), false, RepositoryFixture.newEd25519Key());
    fixture.addDelegatedTarget("apps", "apps/a.graft", "code");
    fixture.initialise(false).publish();
    TufClient client = fixture.clientBuilder().requireHybrid(false).build();

    assertThat(client.findTarget("apps/a.graft")).isPresent();
  }

  @Test
  void refresh_onlineRolesWithEd25519Keys_acceptedUnderHybridRule() {
    fixture.keys.put(RoleType.TIMESTAMP, List.of(RepositoryFixture.newEd25519Key()));
    fixture.keys.put(RoleType.SNAPSHOT, List.of(RepositoryFixture.newEd25519Key()));
    fixture.initialise().publish();

    TufClient client = fixture.client();
    client.refresh();

    assertThat(client.snapshot()).isPresent();
  }

  @Test
  void refresh_unknownKeyTypeListedBesideValidKey_ignoredNotFatal() {
    fixture.keys.get(RoleType.SNAPSHOT).add(RepositoryFixture.newUnknownTypeKey());
    fixture.initialise().publish();
    assertThat(fixture.root().keys().values())
        .anySatisfy(key -> assertThat(key.keyType()).isEqualTo("future-type"));

    TufClient client = fixture.client();
    client.refresh();

    assertThat(client.snapshot()).isPresent();
  }

  @Test
  void refresh_unknownKeyTypeNeededForThreshold_throwsThreshold() {
    List<Signer> snapshotKeys = new ArrayList<>(fixture.keys.get(RoleType.SNAPSHOT));
    snapshotKeys.add(RepositoryFixture.newUnknownTypeKey());
    fixture.keys.put(RoleType.SNAPSHOT, snapshotKeys);
    fixture.thresholds.put(RoleType.SNAPSHOT, 2);
    fixture.initialise().publish();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("snapshot metadata version 1 has valid signatures from 1");
  }
}
