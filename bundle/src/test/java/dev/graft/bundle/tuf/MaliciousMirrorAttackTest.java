package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.BadSignatureException;
import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malicious mirror: a mirror that holds no trusted key rewrites metadata and signs it itself, or
 * pads the signature list to confuse the threshold count.
 */
class MaliciousMirrorAttackTest {
  private final RepositoryFixture fixture = new RepositoryFixture();
  private final Signer attacker = RepositoryFixture.newCompositeKey();
  private StoreContents before;

  @BeforeEach
  void trustReleaseOne() {
    fixture.addTarget("apps/a.graft", "a");
    fixture.initialise().publish();
    fixture.client().refresh();
    before = StoreContents.of(fixture.store);
  }

  @Test
  void refresh_timestampResignedByAttackerKey_throwsThresholdAndStoresNothing() {
    fixture.signing.put(RoleType.TIMESTAMP, s -> RepositoryFixture.sign(s, List.of(attacker)));
    fixture.publishNext();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("timestamp metadata version 2 has valid signatures from 0");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_targetsSignedByAttackerUnderTrustedKeyId_throwsThresholdAndKeepsTargets() {
    String trustedId = fixture.keys.get(RoleType.TARGETS).getFirst().keyId();
    fixture.signing.put(
        RoleType.TARGETS,
        s -> RepositoryFixture.signAs(s, List.of(Map.entry(trustedId, attacker))));
    fixture.addTarget("apps/evil.graft", "evil");
    fixture.publishNext();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(ThresholdException.class)
        .hasMessageContaining("targets metadata version 2 has valid signatures from 0");
    assertThat(fixture.store.load("targets")).hasValue(before.file("targets").orElseThrow());
  }

  @Test
  void refresh_twoSignaturesBySameKeyId_throwsBadSignatureForWholeFile() {
    // Both signatures are valid, so the threshold alone would pass: the file is still refused.
    Signer timestampKey = fixture.keys.get(RoleType.TIMESTAMP).getFirst();
    fixture.signing.put(
        RoleType.TIMESTAMP,
        s ->
            RepositoryFixture.signAs(
                s,
                List.of(
                    Map.entry(timestampKey.keyId(), timestampKey),
                    Map.entry(timestampKey.keyId(), timestampKey))));
    fixture.publishNext();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(BadSignatureException.class)
        .hasMessageContaining("two signatures by key id " + timestampKey.keyId());
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_duplicateSignatureOnSnapshot_throwsBadSignatureAndKeepsSnapshot() {
    Signer snapshotKey = fixture.keys.get(RoleType.SNAPSHOT).getFirst();
    Signer other = RepositoryFixture.newCompositeKey();
    fixture.signing.put(
        RoleType.SNAPSHOT,
        s ->
            RepositoryFixture.signAs(
                s,
                List.of(
                    Map.entry(snapshotKey.keyId(), snapshotKey),
                    Map.entry(other.keyId(), other),
                    Map.entry(snapshotKey.keyId(), other))));
    fixture.publishNext();

    assertThatThrownBy(() -> fixture.client().refresh())
        .isExactlyInstanceOf(BadSignatureException.class)
        .hasMessageContaining("refusing the whole file");
    assertThat(StoreContents.of(fixture.store))
        .isEqualTo(before.with("timestamp", fixture.published("timestamp.json")));
  }
}
