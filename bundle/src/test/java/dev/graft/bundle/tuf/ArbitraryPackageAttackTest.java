package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.HashMismatchException;
import dev.graft.bundle.TargetNotFoundException;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Arbitrary package attack: the repository serves bytes no trusted role vouches for. */
class ArbitraryPackageAttackTest {
  private static final String PATH = "apps/boiler-control-1.4.0.graft";

  private final RepositoryFixture fixture = new RepositoryFixture();
  private TufClient client;

  @BeforeEach
  void trustRelease() {
    fixture.addTarget(PATH, "the released bundle");
    fixture.initialise().publish();
    client = fixture.client();
    client.refresh();
  }

  @Test
  void downloadTarget_sameLengthOtherBytes_throwsHashMismatchAndStoresNothing() {
    TargetFile target = client.requireTarget(PATH);
    byte[] evil = "THE released bundle".getBytes(StandardCharsets.UTF_8);
    assertThat(evil).hasSize((int) target.length());
    fixture.repository.putTarget(RepositoryFixture.hashPrefixed(target), evil);
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client.downloadTarget(target))
        .isExactlyInstanceOf(HashMismatchException.class)
        .hasMessageContaining("sha256")
        .hasMessageContaining(PATH);
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void verifyTarget_onlySha512Differs_throwsHashMismatch() {
    TargetFile trusted = client.requireTarget(PATH);
    Map<String, String> hashes = new LinkedHashMap<>(trusted.hashes());
    hashes.put("sha512", RepositoryFixture.sha512(new byte[] {1}));
    TargetFile wrongSha512 =
        TargetFile.of(trusted.path(), trusted.length(), hashes, trusted.custom());
    byte[] released = "the released bundle".getBytes(StandardCharsets.UTF_8);

    // Every listed hash is checked, not just the first.
    assertThatThrownBy(() -> TufClient.verifyTarget(wrongSha512, released))
        .isExactlyInstanceOf(HashMismatchException.class)
        .hasMessageContaining("sha512");
  }

  @Test
  void verifyTarget_hashAlgorithmUnknown_throwsHashMismatch() {
    TargetFile trusted = client.requireTarget(PATH);
    TargetFile onlyUnknown =
        TargetFile.of(trusted.path(), trusted.length(), Map.of("blake9", "00ff"), trusted.custom());
    byte[] released = "the released bundle".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> TufClient.verifyTarget(onlyUnknown, released))
        .isExactlyInstanceOf(HashMismatchException.class)
        .hasMessageContaining("blake9");
  }

  @Test
  void requireTarget_pathNoRoleLists_throwsTargetNotFoundAndStoresNothing() {
    fixture.repository.putTarget("apps/evil.graft", "evil".getBytes(StandardCharsets.UTF_8));
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> client.requireTarget("apps/evil.graft"))
        .isExactlyInstanceOf(TargetNotFoundException.class)
        .hasMessageContaining("apps/evil.graft");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
    assertThat(fixture.repository.requests()).doesNotContain("targets/apps/evil.graft");
  }
}
