package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_APPLICATION;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_CLASS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_DECRYPT;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_ENCRYPT;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_EXTRACTABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_MODIFIABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_PRIVATE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_SENSITIVE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_SIGN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_TOKEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_VALUE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_DATA;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_SECRET_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.MLDSASigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Composite keys in the wrapped mode on a real SoftHSM2 token. */
class TokenCompositeKeyTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-composite-test");

  private static final byte[] MESSAGE =
      "{\"signed\":{\"_type\":\"targets\",\"version\":3}}".getBytes(StandardCharsets.UTF_8);

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

  @Test
  void sign_generatedKey_verifiesWithTheTrustCoreAndEachHalfAlone() {
    TokenCompositeSigner signer =
        TokenCompositeSigner.of(session, TokenCompositeKey.generate(session, "halves"));

    byte[] signature = signer.sign(MESSAGE);

    assertThat(signature).hasSize(CompositeMlDsa.SIGNATURE_BYTES);
    assertThat(signer.publicKey().type()).contains(KeyType.MLDSA65_ED25519);
    Verifier core = Verifiers.forKey(signer.publicKey()).orElseThrow();
    assertThat(core.verify(MESSAGE, signature)).isTrue();
    assertThat(core.verify("other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();

    byte[] publicValue = HexFormat.of().parseHex(signer.publicKey().publicValue());
    byte[] representative = CompositeMlDsa.messageRepresentative(MESSAGE);
    MLDSASigner mldsa = new MLDSASigner();
    mldsa.init(
        false,
        new ParametersWithContext(
            new MLDSAPublicKeyParameters(
                MLDSAParameters.ml_dsa_65,
                Arrays.copyOf(publicValue, CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES)),
            CompositeMlDsa.label()));
    mldsa.update(representative, 0, representative.length);
    assertThat(
            mldsa.verifySignature(Arrays.copyOf(signature, CompositeMlDsa.MLDSA_SIGNATURE_BYTES)))
        .isTrue();
    Ed25519Signer ed = new Ed25519Signer();
    ed.init(
        false, new Ed25519PublicKeyParameters(publicValue, CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES));
    ed.update(representative, 0, representative.length);
    assertThat(
            ed.verifySignature(
                Arrays.copyOfRange(
                    signature, CompositeMlDsa.MLDSA_SIGNATURE_BYTES, signature.length)))
        .isTrue();
  }

  @Test
  void sign_twice_givesDifferentHedgedSignaturesThatBothVerify() {
    TokenCompositeSigner signer =
        TokenCompositeSigner.of(session, TokenCompositeKey.generate(session, "hedged"));
    Verifier core = Verifiers.forKey(signer.publicKey()).orElseThrow();

    byte[] first = signer.sign(MESSAGE);
    byte[] second = signer.sign(MESSAGE);

    assertThat(first).isNotEqualTo(second);
    assertThat(core.verify(MESSAGE, first)).isTrue();
    assertThat(core.verify(MESSAGE, second)).isTrue();
  }

  @Test
  void generate_objects_haveTheProtectionTrustMdPromises() {
    TokenCompositeKey key = TokenCompositeKey.generate(session, "protected");
    TokenObject edPrivate = key.ed25519KeyPair().privateObject();
    TokenObject aes = key.wrappingKey();
    TokenObject data = key.wrappedSeedObject();

    assertThat(session.booleanAttribute(edPrivate, CKA_SENSITIVE)).contains(true);
    assertThat(session.booleanAttribute(edPrivate, CKA_EXTRACTABLE)).contains(false);
    assertThat(session.booleanAttribute(edPrivate, CKA_SIGN)).contains(true);
    assertThat(key.ed25519KeyPair().extractable()).isFalse();

    assertThat(session.longAttribute(aes, CKA_CLASS)).hasValue(CKO_SECRET_KEY);
    assertThat(session.booleanAttribute(aes, CKA_SENSITIVE)).contains(true);
    assertThat(session.booleanAttribute(aes, CKA_EXTRACTABLE)).contains(false);
    assertThat(session.booleanAttribute(aes, CKA_ENCRYPT)).contains(true);
    assertThat(session.booleanAttribute(aes, CKA_DECRYPT)).contains(true);
    assertThat(session.attribute(aes, CKA_VALUE)).as("a sensitive key's value").isEmpty();
    assertThat(key.wrappingKeyExtractable()).isFalse();

    assertThat(session.longAttribute(data, CKA_CLASS)).hasValue(CKO_DATA);
    assertThat(session.booleanAttribute(data, CKA_TOKEN)).contains(true);
    assertThat(session.booleanAttribute(data, CKA_PRIVATE)).contains(true);
    assertThat(session.booleanAttribute(data, CKA_MODIFIABLE)).contains(false);
    assertThat(session.label(data)).contains("protected");
    assertThat(session.attribute(data, CKA_APPLICATION))
        .hasValueSatisfying(a ->
            assertThat(new String(a, StandardCharsets.UTF_8)).isEqualTo("graft:mldsa65-wrapped"));

    for (TokenObject object : List.of(edPrivate, key.ed25519KeyPair().publicObject(), aes)) {
      assertThat(session.id(object)).hasValueSatisfying(id -> assertThat(id).isEqualTo(key.id()));
      assertThat(session.label(object)).contains("protected");
    }
    WrappedMlDsaSeed stored =
        WrappedMlDsaSeed.decode(session.attribute(data, CKA_VALUE).orElseThrow(), "test");
    assertThat(stored.id()).isEqualTo(key.id());
    assertThat(HexFormat.of().formatHex(stored.compositePublicKey()))
        .isEqualTo(key.publicKey().publicValue());
  }

  @Test
  void find_byLabelOrById_givesAKeyThatSignsForTheSamePublicKey() {
    TokenCompositeKey generated = TokenCompositeKey.generate(session, "findable");

    TokenCompositeSigner byLabel =
        TokenCompositeSigner.find(session, ObjectQuery.all().withLabel("findable"));
    TokenCompositeSigner byId =
        TokenCompositeSigner.find(session, ObjectQuery.all().withId(generated.id()));

    assertThat(byLabel.publicKey()).isEqualTo(generated.publicKey());
    assertThat(byId.publicKey()).isEqualTo(generated.publicKey());
    Verifier core = Verifiers.forKey(generated.publicKey()).orElseThrow();
    assertThat(core.verify(MESSAGE, byLabel.sign(MESSAGE))).isTrue();
  }

  @Test
  void find_plainEd25519Key_saysItIsNotAComposite() {
    session.generateEd25519KeyPair("plain-ed");

    assertThatThrownBy(
            () -> TokenCompositeKey.find(session, ObjectQuery.all().withLabel("plain-ed")))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("has no wrapped ML-DSA half")
        .hasMessageContaining("not a composite key");
  }

  @Test
  void find_damagedWrappedObjectOfAnotherKey_doesNotBlockGoodKeysButIsNamedForAPlainOne() {
    TokenCompositeKey good = TokenCompositeKey.generate(session, "beside-damage");
    session.generateEd25519KeyPair("orphan-ed");
    TokenObject damaged =
        TokenDataObjects.create(
            session, "damaged", WrappedMlDsaSeed.APPLICATION, new byte[] {'G', 'M'}, false);
    try {
      assertThat(
              TokenCompositeKey.find(session, ObjectQuery.all().withLabel("beside-damage"))
                  .publicKey())
          .isEqualTo(good.publicKey());
      assertThatThrownBy(
              () -> TokenCompositeKey.find(session, ObjectQuery.all().withLabel("orphan-ed")))
          .isInstanceOf(Pkcs11Exception.class)
          .hasMessageContaining("cannot be read, so its half may be among them")
          .hasMessageContaining("data object 'damaged' is not a wrapped ML-DSA key");
    } finally {
      session.destroy(damaged);
    }
  }

  @Test
  void description_statesTheWrappedModePlainly() {
    TokenCompositeSigner signer =
        TokenCompositeSigner.of(session, TokenCompositeKey.generate(session, "targets-1"));

    assertThat(signer.description())
        .isEqualTo(
            "composite mldsa65-ed25519 key 'targets-1' on token '"
                + TOKEN.label()
                + "': Ed25519 half inside the token; ML-DSA-65 half stored wrapped (AES-GCM under"
                + " a non-extractable token key) and decrypted into memory for each signature — a"
                + " software key protected by the token and its PIN, not an HSM-resident key");
  }

  @Test
  void nativeMlDsa_softHsm_isNotAdvertisedAndOnlyReportedWhereItIs() {
    assertThat(session.token().advertisesMlDsa()).isFalse();
    assertThat(TokenKeyListing.notes(session.token().mechanisms())).isEmpty();
    assertThat(TokenKeyListing.notes(Set.of(Pkcs11Constants.CKM_EDDSA, Pkcs11Constants.CKM_ML_DSA)))
        .containsExactly(
            "token advertises CKM_ML_DSA; Graft still uses the wrapped mode until native signing"
                + " is tested against such a token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "wrapping key", "wrapped seed"})
  void generate_failureAfterAStep_leavesNoObjectBehind(String failingStep) {
    String label = "half-made-" + failingStep.replace(' ', '-');
    byte[] id = label.getBytes(StandardCharsets.UTF_8);
    int before = session.find(ObjectQuery.all()).size();
    List<String> steps = new ArrayList<>();

    assertThatThrownBy(() ->
            TokenCompositeKey.generate(
                session,
                label,
                id,
                step -> {
                  steps.add(step);
                  if (step.equals(failingStep)) {
                    throw new Pkcs11Exception("injected failure after " + step);
                  }
                }))
        .hasMessage("injected failure after " + failingStep);

    assertThat(steps).last().isEqualTo(failingStep);
    assertThat(session.find(ObjectQuery.all().withLabel(label))).isEmpty();
    assertThat(session.find(ObjectQuery.all().withId(id))).isEmpty();
    assertThat(session.find(ObjectQuery.all())).hasSize(before);
    // The label and id are free again.
    assertThat(TokenCompositeKey.generate(session, label, id).label()).isEqualTo(label);
  }

  @Test
  void generate_labelInUse_isRefusedBeforeAnythingIsCreated() {
    TokenCompositeKey.generate(session, "taken");
    int before = session.find(ObjectQuery.all()).size();

    assertThatThrownBy(() -> TokenCompositeKey.generate(session, "taken"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("already has an object labelled 'taken'");
    assertThat(session.find(ObjectQuery.all())).hasSize(before);
  }

  @Test
  void sign_envelopeWithAnotherMlDsaPublicKey_doesNotDecrypt() {
    // Same wrapping key, same ciphertext, but the envelope claims another ML-DSA public key: the
    // GCM additional data covers the public keys, so the seed does not decrypt.
    TokenCompositeKey key = TokenCompositeKey.generate(session, "aad-bound");
    TokenCompositeKey other = TokenCompositeKey.generate(session, "aad-other");
    WrappedMlDsaSeed own = stored(key);
    replaceEnvelope(
        key,
        WrappedMlDsaSeed.of(
            own.id(), own.sealed(), other.mldsaPublicKey(), own.ed25519PublicKey()));

    TokenCompositeSigner signer =
        TokenCompositeSigner.find(session, ObjectQuery.all().withLabel("aad-bound"));

    assertThat(signer.publicKey()).isNotEqualTo(key.publicKey());
    assertThatThrownBy(() -> signer.sign(MESSAGE))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("does not decrypt under its wrapping key")
        .hasMessageContaining("altered or belongs to another key");
  }

  @Test
  void sign_envelopeMovedFromAnotherKey_doesNotDecrypt() {
    // Another key's envelope relabelled with this key's id and Ed25519 public key: it is encrypted
    // under the other key's wrapping key and additional data, so it does not decrypt here.
    TokenCompositeKey key = TokenCompositeKey.generate(session, "victim");
    TokenCompositeKey donor = TokenCompositeKey.generate(session, "donor");
    WrappedMlDsaSeed moved = stored(donor);
    replaceEnvelope(
        key,
        WrappedMlDsaSeed.of(
            key.id(), moved.sealed(), moved.mldsaPublicKey(), stored(key).ed25519PublicKey()));

    TokenCompositeSigner signer =
        TokenCompositeSigner.find(session, ObjectQuery.all().withLabel("victim"));

    assertThatThrownBy(() -> signer.sign(MESSAGE))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("does not decrypt under its wrapping key");
  }

  @Test
  void find_envelopeForAnotherEd25519Key_isRefused() {
    TokenCompositeKey key = TokenCompositeKey.generate(session, "mismatch");
    TokenCompositeKey other = TokenCompositeKey.generate(session, "mismatch-other");
    WrappedMlDsaSeed own = stored(key);
    replaceEnvelope(
        key,
        WrappedMlDsaSeed.of(
            own.id(), own.sealed(), own.mldsaPublicKey(), stored(other).ed25519PublicKey()));

    assertThatThrownBy(
            () -> TokenCompositeKey.find(session, ObjectQuery.all().withLabel("mismatch")))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("was made for another Ed25519 key");
  }

  @Test
  void sign_seedThatYieldsAnotherMlDsaKey_isRefused() {
    // A validly encrypted envelope (right wrapping key, right additional data) whose seed is not
    // the one behind the stored public key: only the derived-key check can catch it.
    TokenCompositeKey key = TokenCompositeKey.generate(session, "wrong-seed");
    WrappedMlDsaSeed own = stored(key);
    byte[] otherSeed = new byte[32];
    new SecureRandom().nextBytes(otherSeed);
    AesGcmCiphertext sealed = session.encryptAesGcm(key.wrappingKey(), otherSeed, own.aad());
    replaceEnvelope(
        key, WrappedMlDsaSeed.of(own.id(), sealed, own.mldsaPublicKey(), own.ed25519PublicKey()));

    TokenCompositeSigner signer =
        TokenCompositeSigner.find(session, ObjectQuery.all().withLabel("wrong-seed"));

    assertThatThrownBy(() -> signer.sign(MESSAGE))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("yields a different public key than the one stored with it");
  }

  @Test
  void sign_flippedCiphertextBit_doesNotDecrypt() {
    TokenCompositeKey key = TokenCompositeKey.generate(session, "flipped");
    WrappedMlDsaSeed own = stored(key);
    byte[] ciphertext = own.sealed().ciphertext();
    ciphertext[5] ^= 1;
    replaceEnvelope(
        key,
        WrappedMlDsaSeed.of(
            own.id(),
            AesGcmCiphertext.of(own.sealed().iv(), ciphertext),
            own.mldsaPublicKey(),
            own.ed25519PublicKey()));

    TokenCompositeSigner signer =
        TokenCompositeSigner.find(session, ObjectQuery.all().withLabel("flipped"));

    assertThatThrownBy(() -> signer.sign(MESSAGE))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("does not decrypt under its wrapping key");
  }

  @Test
  void sign_timing_isPrintedForP10() {
    // Not asserted: the figure for P10 comes from the JMH benchmark; this shows it in test logs.
    TokenCompositeSigner signer =
        TokenCompositeSigner.of(session, TokenCompositeKey.generate(session, "timed"));
    Verifier core = Verifiers.forKey(signer.publicKey()).orElseThrow();
    long[] nanos = new long[25];
    for (int i = 0; i < nanos.length; i++) {
      long start = System.nanoTime();
      byte[] signature = signer.sign(MESSAGE);
      nanos[i] = System.nanoTime() - start;
      assertThat(core.verify(MESSAGE, signature)).isTrue();
    }
    Arrays.sort(nanos);
    System.out.printf(
        "P10 (quick): composite signature on SoftHSM2, median %.2f ms of %d (min %.2f, max %.2f)%n",
        nanos[nanos.length / 2] / 1e6, nanos.length, nanos[0] / 1e6, nanos[nanos.length - 1] / 1e6);
  }

  private WrappedMlDsaSeed stored(TokenCompositeKey key) {
    return WrappedMlDsaSeed.decode(
        session.attribute(key.wrappedSeedObject(), CKA_VALUE).orElseThrow(), "test");
  }

  /** The data object cannot be modified, so it is replaced: deleted and created again. */
  private void replaceEnvelope(TokenCompositeKey key, WrappedMlDsaSeed envelope) {
    session.destroy(key.wrappedSeedObject());
    TokenDataObjects.create(
        session, key.label(), WrappedMlDsaSeed.APPLICATION, envelope.encoded(), false);
  }
}
