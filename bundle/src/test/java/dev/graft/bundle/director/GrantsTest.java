package dev.graft.bundle.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.PinnedKeyMismatchException;
import dev.graft.bundle.TargetFromWrongRoleException;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.metadata.DelegatedRole;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import dev.graft.bundle.tuf.TufClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Grants are the site key's, not the director's: the holder of the director's online targets key
 * can neither list a grant in the top-level targets nor re-delegate {@code grants} to a key of
 * their own.
 */
class GrantsTest {
  private static final String GATEWAY = "gw-1";
  private static final String GRANT = "devices: {boiler: modbus://10.0.0.5}";
  private static final String WIDER_GRANT = "devices: {boiler: modbus://10.0.0.5, '*': any}";

  private final RepositoryFixture fixture = new RepositoryFixture();
  private final Signer siteKey = RepositoryFixture.newCompositeKey();

  private TufClient director() {
    return fixture
        .clientBuilder()
        .pin(Grants.siteKeysFromFiles(List.of(PublicKeyFile.encode(siteKey.publicKey())), 1))
        .build();
  }

  private void delegateGrantsTo(Signer key) {
    fixture.delegate(Grants.ROLE, List.of("grants/*"), false, key);
  }

  @Test
  void require_grantsDelegatedToSiteKey_acceptsGrant() {
    delegateGrantsTo(siteKey);
    fixture.addDelegatedTarget(Grants.ROLE, Grants.path(GATEWAY), GRANT);
    fixture.initialise().publish();

    assertThat(Grants.require(director(), GATEWAY, bytes(GRANT)).path())
        .isEqualTo("grants/gw-1.yaml");
  }

  @Test
  void require_clientWithoutSiteKeyPin_refusesToCheck() {
    delegateGrantsTo(siteKey);
    fixture.addDelegatedTarget(Grants.ROLE, Grants.path(GATEWAY), GRANT);
    fixture.initialise().publish();

    assertThatThrownBy(() -> Grants.require(fixture.client(), GATEWAY, bytes(GRANT)))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no pin for the grants role");
  }

  @Test
  void require_topLevelTargetsListsGrant_throwsWrongRoleAndStoresNothing() {
    delegateGrantsTo(siteKey);
    fixture.addDelegatedTarget(Grants.ROLE, Grants.path(GATEWAY), GRANT);
    fixture.addTarget(Grants.path(GATEWAY), WIDER_GRANT); // signed by the online targets key
    fixture.initialise().publish();
    TufClient director = director();
    director.refresh();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> Grants.require(director, GATEWAY, bytes(WIDER_GRANT)))
        .isExactlyInstanceOf(TargetFromWrongRoleException.class)
        .hasMessageContaining("'grants/gw-1.yaml' is listed by role targets")
        .hasMessageContaining("only role grants may list it")
        .hasMessageContaining("refusing it");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void require_grantsReDelegatedToDirectorsOwnKey_throwsPinnedKeyMismatchAndStoresNothing() {
    delegateGrantsTo(RepositoryFixture.newCompositeKey()); // composite, so the hybrid rule holds
    fixture.addDelegatedTarget(Grants.ROLE, Grants.path(GATEWAY), WIDER_GRANT);
    fixture.initialise().publish();
    TufClient director = director();
    director.refresh();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> Grants.require(director, GATEWAY, bytes(WIDER_GRANT)))
        .isExactlyInstanceOf(PinnedKeyMismatchException.class)
        .hasMessageContaining("the delegation from targets to grants names other keys")
        .hasMessageContaining("refusing the grants role");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void require_grantsDelegatedToSiteKeyAndAnother_throwsPinnedKeyMismatch() {
    Signer extra = RepositoryFixture.newCompositeKey();
    fixture.delegations.add(
        new DelegatedRole(
            Grants.ROLE,
            List.of(siteKey.keyId(), extra.keyId()),
            1,
            false,
            java.util.Optional.of(List.of("grants/*")),
            java.util.Optional.empty(),
            dev.graft.bundle.json.JsonObject.empty()));
    fixture.delegatedKeys.put(Grants.ROLE, List.of(siteKey, extra));
    fixture.delegatedSigners.put(Grants.ROLE, List.of(extra));
    fixture.delegatedVersions.put(Grants.ROLE, 1L);
    fixture.addDelegatedTarget(Grants.ROLE, Grants.path(GATEWAY), WIDER_GRANT);
    fixture.initialise().publish();

    assertThatThrownBy(() -> Grants.require(director(), GATEWAY, bytes(WIDER_GRANT)))
        .isExactlyInstanceOf(PinnedKeyMismatchException.class)
        .hasMessageContaining("names other keys than the 1 pinned key(s)");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
