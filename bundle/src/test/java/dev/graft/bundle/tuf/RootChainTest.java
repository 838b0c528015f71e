package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.RollbackAttackException;
import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.testing.RepositoryFixture;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TufClient#verifyRootChain}: what a gateway checks at start, a stored root walked back to
 * the root it was commissioned with.
 */
class RootChainTest {
  private final RepositoryFixture fixture = new RepositoryFixture();
  private final Signer k2 = RepositoryFixture.newCompositeKey();
  private final Signer k3 = RepositoryFixture.newCompositeKey();
  private Signer k1;
  private byte[] anchor;

  @BeforeEach
  void publishRootOne() {
    k1 = fixture.keys.get(RoleType.ROOT).getFirst();
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise().publish();
    anchor = fixture.published("1.root.json");
  }

  /** Roots 2 and 3, each signed by its predecessor's key and its own. */
  private byte[] rotateTwice() {
    fixture.keys.put(RoleType.ROOT, List.of(k2));
    fixture.rootVersion = 2;
    fixture.rootSigners = List.of(k1, k2);
    fixture.publishRoot();
    fixture.keys.put(RoleType.ROOT, List.of(k3));
    fixture.rootVersion = 3;
    fixture.rootSigners = List.of(k2, k3);
    return fixture.publishRoot();
  }

  @Test
  void verifyRootChain_storedRootIsTheAnchor_passesWithoutFetching() {
    assertThatCode(() -> TufClient.verifyRootChain(anchor, anchor, fixture.repository, true))
        .doesNotThrowAnyException();
    assertThat(fixture.repository.requests()).isEmpty();
  }

  @Test
  void verifyRootChain_storedRootTwoRotationsLater_walksTheChainAndPasses() {
    byte[] three = rotateTwice();

    assertThatCode(() -> TufClient.verifyRootChain(anchor, three, fixture.repository, true))
        .doesNotThrowAnyException();
    assertThat(fixture.repository.requests()).containsExactly("2.root.json", "3.root.json");
  }

  @Test
  void verifyRootChain_storedVersionOneByOtherKeys_refused() {
    RepositoryFixture other = new RepositoryFixture();
    other.initialise().publish();
    byte[] foreign = other.published("1.root.json");

    assertThatThrownBy(() -> TufClient.verifyRootChain(anchor, foreign, fixture.repository, true))
        .isInstanceOf(TrustException.class)
        .hasMessageContaining("stored root version 1 is not the root version 1");
  }

  @Test
  void verifyRootChain_storedRootSignedOnlyByAnAttackersKey_refused() {
    rotateTwice();
    // an attacker who edited the store writes a version 3 signed only by a key of their own
    Signer attacker = RepositoryFixture.newCompositeKey();
    fixture.keys.put(RoleType.ROOT, List.of(attacker));
    fixture.rootVersion = 3;
    byte[] forged = signedOnly(attacker);

    assertThatThrownBy(() -> TufClient.verifyRootChain(anchor, forged, fixture.repository, true))
        .isExactlyInstanceOf(TrustException.class)
        .hasMessageContaining("stored root version 3 is not the root version 3");
  }

  @Test
  void verifyRootChain_storedRootDiffersFromThePublishedOneAtItsVersion_refused() {
    rotateTwice();
    // a second, validly signed version 3 (another expiry) that the broker does not hold
    fixture.rootExpires = fixture.rootExpires.plusSeconds(3600);
    byte[] other = SignedMetadata.sign(fixture.root(), List.of(k2, k3)).toBytes();

    assertThatThrownBy(() -> TufClient.verifyRootChain(anchor, other, fixture.repository, true))
        .isExactlyInstanceOf(TrustException.class)
        .hasMessageContaining("stored root version 3 is not the root version 3");
  }

  @Test
  void verifyRootChain_intermediateRootMissing_repositoryException() {
    byte[] three = rotateTwice();
    fixture.repository.removeMetadata("2.root.json");

    assertThatThrownBy(() -> TufClient.verifyRootChain(anchor, three, fixture.repository, true))
        .isInstanceOf(RepositoryException.class)
        .hasMessageContaining("root version 2 is not in the repository");
  }

  @Test
  void verifyRootChain_storedRootOlderThanTheAnchor_rollbackAttack() {
    byte[] three = rotateTwice();

    assertThatThrownBy(() -> TufClient.verifyRootChain(three, anchor, fixture.repository, true))
        .isInstanceOf(RollbackAttackException.class);
  }

  @Test
  void verifyRootChain_stepNotSignedByThePreviousRoot_threshold() {
    fixture.keys.put(RoleType.ROOT, List.of(k2));
    fixture.rootVersion = 2;
    fixture.rootSigners = List.of(k2); // not by k1
    byte[] two = fixture.publishRoot();

    assertThatThrownBy(() -> TufClient.verifyRootChain(anchor, two, fixture.repository, true))
        .isInstanceOf(ThresholdException.class);
  }

  private byte[] signedOnly(Signer key) {
    return SignedMetadata.sign(fixture.root(), List.of(key)).toBytes();
  }
}
