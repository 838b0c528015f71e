package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.Verifiers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ML-DSA half of a token composite key leaves the token for a backup and joins its Ed25519 key
 * pair again, on a real SoftHSM2 token.
 */
class TokenCompositeKeyBackupTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-backup-test");

  private static final byte[] MESSAGE = "{\"signed\":{}}".getBytes(StandardCharsets.UTF_8);

  private Pkcs11Module module;
  private TokenSession session;

  @BeforeEach
  void openToken() {
    module = Pkcs11Module.open(TOKEN.modulePath());
    session = TOKEN.openLoggedIn(module);
  }

  @AfterEach
  void closeToken() {
    module.close();
  }

  /** What a token holds after only its Ed25519 key pair came back from the vendor's backup. */
  private void loseMlDsaHalf(TokenCompositeKey key) {
    session.destroy(key.wrappedSeedObject());
    session.destroy(key.wrappingKey());
  }

  @Test
  void exportThenRestore_afterTheWrappedHalfIsLost_sameKeySignsAgain() {
    TokenCompositeKey original = TokenCompositeKey.generate(session, "root-backup");
    byte[] seed = original.exportMlDsaSeed(session);
    loseMlDsaHalf(original);
    ObjectQuery query = ObjectQuery.all().withLabel("root-backup");
    assertThatThrownBy(() -> TokenCompositeKey.find(session, query))
        .isInstanceOf(ObjectNotFoundException.class);

    TokenKeyPair pair = session.findKeyPair(query);
    TokenCompositeKey restored =
        TokenCompositeKey.restoreMlDsaHalf(session, pair, seed, original.publicKey());
    Arrays.fill(seed, (byte) 0);

    assertThat(restored.publicKey()).isEqualTo(original.publicKey());
    TokenCompositeKey found = TokenCompositeKey.find(session, query);
    byte[] signature = TokenCompositeSigner.of(session, found).sign(MESSAGE);
    assertThat(Verifiers.forKey(original.publicKey()).orElseThrow().verify(MESSAGE, signature))
        .isTrue();
  }

  @Test
  void restore_seedOfAnotherKey_refusedAndNothingCreated() {
    TokenCompositeKey other = TokenCompositeKey.generate(session, "other");
    byte[] otherSeed = other.exportMlDsaSeed(session);
    TokenCompositeKey target = TokenCompositeKey.generate(session, "target");
    loseMlDsaHalf(target);
    int objectsBefore = session.find(ObjectQuery.all()).size();
    TokenKeyPair pair = session.findKeyPair(ObjectQuery.all().withLabel("target"));

    assertThatThrownBy(
            () -> TokenCompositeKey.restoreMlDsaHalf(session, pair, otherSeed, target.publicKey()))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("do not make composite key " + target.keyId());
    assertThat(session.find(ObjectQuery.all())).hasSize(objectsBefore);
  }

  @Test
  void restore_keyThatStillHasItsHalf_refused() {
    TokenCompositeKey key = TokenCompositeKey.generate(session, "complete");
    byte[] seed = key.exportMlDsaSeed(session);

    assertThatThrownBy(() ->
            TokenCompositeKey.restoreMlDsaHalf(
                session, key.ed25519KeyPair(), seed, key.publicKey()))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("already has an ML-DSA half");
  }

  @Test
  void restore_ecdsaKeyPair_refused() {
    TokenKeyPair ecdsa = session.generateEcdsaP256KeyPair("tls");
    TokenCompositeKey key = TokenCompositeKey.generate(session, "composite-for-ecdsa");

    assertThatThrownBy(() ->
            TokenCompositeKey.restoreMlDsaHalf(
                session, ecdsa, key.exportMlDsaSeed(session), key.publicKey()))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("joins an Ed25519 key pair");
  }
}
