package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_ALWAYS_SENSITIVE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_CLASS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_EXTRACTABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_KEY_TYPE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_LABEL;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_LOCAL;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_NEVER_EXTRACTABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_PRIVATE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_SENSITIVE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_SIGN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_TOKEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_VALUE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_VALUE_LEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKK_AES;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_DATA;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_PRIVATE_KEY;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_PUBLIC_KEY;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_SECRET_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.graft.bundle.keys.KeyType;
import dev.graft.pkcs11.internal.Attribute;
import dev.graft.pkcs11.internal.Ckr;
import dev.graft.pkcs11.internal.CkrException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Objects, attributes, key generation and AES-GCM on a real SoftHSM2 token. */
class TokenSessionTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-session-test");

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
  void find_byLabelIdAndClass_findsTheGeneratedObjects() {
    byte[] id = HexFormat.of().parseHex("a1b2c3");
    TokenKeyPair pair = session.generateEcdsaP256KeyPair("find-me", id);

    assertThat(session.find(ObjectQuery.all().withLabel("find-me")))
        .containsExactlyInAnyOrder(pair.publicObject(), pair.privateObject());
    assertThat(session.find(ObjectQuery.all().withId(id)))
        .containsExactlyInAnyOrder(pair.publicObject(), pair.privateObject());
    assertThat(session.findOne(ObjectQuery.all().withLabel("find-me").ofClass(CKO_PRIVATE_KEY)))
        .isEqualTo(pair.privateObject());
    assertThat(session.findOne(ObjectQuery.all().withId(id).ofClass(CKO_PUBLIC_KEY)))
        .isEqualTo(pair.publicObject());
    assertThat(session.label(pair.privateObject())).hasValue("find-me");
    assertThat(session.id(pair.publicObject())).hasValue(id);
    assertThat(session.find(ObjectQuery.all().withLabel("find-me-not"))).isEmpty();
  }

  @Test
  void findOne_missingObject_namesItAndTheToken() {
    assertThatThrownBy(
            () -> session.findOne(ObjectQuery.all().ofClass(CKO_PRIVATE_KEY).withLabel("ghost")))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("private key labelled 'ghost'")
        .hasMessageContaining("token '" + TOKEN.label() + "'");
  }

  @Test
  void findOne_twoMatches_asksForAnId() {
    session.generateEcdsaP256KeyPair("twice");
    assertThatThrownBy(() -> session.findOne(ObjectQuery.all().withLabel("twice")))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("2 objects")
        .hasMessageContaining("give an id");
  }

  @Test
  void find_withoutLogin_doesNotSeePrivateKeys() {
    TokenKeyPair pair = session.generateEcdsaP256KeyPair("hidden");
    try (Pkcs11Module other = Pkcs11Module.open(TOKEN.modulePath())) {
      // Login is per token and process: log out, then look as an anonymous session would.
      session.logout();
      try (TokenSession anonymous = other.tokenLabelled(TOKEN.label()).openSession()) {
        assertThat(anonymous.find(ObjectQuery.all().withLabel("hidden")))
            .containsExactly(pair.publicObject());
      }
    }
  }

  @Test
  void generateEcdsaP256KeyPair_keepsThePrivateKeyInsideTheToken() {
    TokenKeyPair pair = session.generateEcdsaP256KeyPair("ecdsa-attributes");
    TokenObject key = pair.privateObject();

    assertThat(pair.type()).isEqualTo(KeyType.ECDSA_P256);
    assertThat(pair.id()).hasSize(16);
    assertThat(pair.extractable()).isFalse();
    assertThat(session.booleanAttribute(key, CKA_TOKEN)).hasValue(true);
    assertThat(session.booleanAttribute(key, CKA_PRIVATE)).hasValue(true);
    assertThat(session.booleanAttribute(key, CKA_SENSITIVE)).hasValue(true);
    assertThat(session.booleanAttribute(key, CKA_EXTRACTABLE)).hasValue(false);
    assertThat(session.booleanAttribute(key, CKA_NEVER_EXTRACTABLE)).hasValue(true);
    assertThat(session.booleanAttribute(key, CKA_ALWAYS_SENSITIVE)).hasValue(true);
    assertThat(session.booleanAttribute(key, CKA_LOCAL))
        .as("generated on the token")
        .hasValue(true);
    assertThat(session.booleanAttribute(key, CKA_SIGN)).hasValue(true);
    assertThat(session.attribute(key, CKA_VALUE)).as("the token withholds the secret").isEmpty();
    assertThat(session.booleanAttribute(pair.publicObject(), CKA_PRIVATE)).hasValue(false);
  }

  @Test
  void generateEd25519KeyPair_keepsThePrivateKeyInsideTheToken() {
    TokenKeyPair pair = session.generateEd25519KeyPair("ed25519-attributes");
    assertThat(pair.type()).isEqualTo(KeyType.ED25519);
    assertThat(pair.publicKey().publicValue()).hasSize(64);
    assertThat(pair.extractable()).isFalse();
    assertThat(session.booleanAttribute(pair.privateObject(), CKA_EXTRACTABLE)).hasValue(false);
    assertThat(session.attribute(pair.privateObject(), CKA_VALUE)).isEmpty();
  }

  @Test
  void generateKeyPair_givenId_usesIt() {
    byte[] id = {0x01, 0x02};
    TokenKeyPair pair = session.generateEd25519KeyPair("with-id", id);
    assertThat(pair.id()).isEqualTo(id);
    assertThat(session.id(pair.privateObject())).hasValue(id);
  }

  @Test
  void generateKeyPair_labelTaken_isRefusedWithoutCreatingAnything() {
    session.generateEcdsaP256KeyPair("taken");
    int before = session.find(ObjectQuery.all()).size();
    assertThatThrownBy(() -> session.generateEd25519KeyPair("taken"))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("already has an object labelled 'taken'");
    assertThat(session.find(ObjectQuery.all())).hasSize(before);
  }

  @Test
  void generateKeyPair_idTaken_isRefused() {
    byte[] id = {0x42};
    session.generateEcdsaP256KeyPair("first", id);
    assertThatThrownBy(() -> session.generateEcdsaP256KeyPair("second", id))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("already has an object with id 42");
  }

  @Test
  void generateKeyPair_stepAfterGenerationFails_destroysBothHalves() {
    Pkcs11Exception boom = new Pkcs11Exception("a later step failed");
    int before = session.find(ObjectQuery.all()).size();
    assertThatThrownBy(() ->
            session.generateKeyPair(
                KeyType.ECDSA_P256,
                "half-made",
                new byte[] {9},
                pair -> {
                  // The pair really existed when the step ran.
                  assertThat(session.find(ObjectQuery.all().withLabel("half-made"))).hasSize(2);
                  throw boom;
                }))
        .isSameAs(boom);
    assertThat(session.find(ObjectQuery.all().withLabel("half-made"))).isEmpty();
    assertThat(session.find(ObjectQuery.all())).hasSize(before);
  }

  @Test
  void generateKeyPair_unsupportedType_isRefused() {
    assertThatThrownBy(
            () -> session.generateKeyPair(KeyType.RSA_PSS_SHA256, "rsa", new byte[] {1}, p -> {}))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("not rsa");
  }

  @Test
  void generateAes256Key_isASensitiveNonExtractableTokenKey() {
    TokenObject key = session.generateAes256Key("wrapping-key");
    assertThat(session.longAttribute(key, CKA_CLASS)).hasValue(CKO_SECRET_KEY);
    assertThat(session.longAttribute(key, CKA_KEY_TYPE)).hasValue(CKK_AES);
    assertThat(session.longAttribute(key, CKA_VALUE_LEN)).hasValue(32);
    assertThat(session.booleanAttribute(key, CKA_SENSITIVE)).hasValue(true);
    assertThat(session.booleanAttribute(key, CKA_EXTRACTABLE)).hasValue(false);
    assertThat(session.booleanAttribute(key, CKA_TOKEN)).hasValue(true);
    assertThat(session.attribute(key, CKA_VALUE)).isEmpty();
  }

  @Test
  void aesGcm_roundTrip_returnsThePlaintext() {
    TokenObject key = session.generateAes256Key("gcm-key");
    byte[] plaintext = new byte[4032]; // the size of an ML-DSA-65 private key
    for (int i = 0; i < plaintext.length; i++) {
      plaintext[i] = (byte) (i * 31);
    }
    byte[] aad = "graft:key:targets-1".getBytes(StandardCharsets.UTF_8);

    AesGcmCiphertext first = session.encryptAesGcm(key, plaintext, aad);
    AesGcmCiphertext second = session.encryptAesGcm(key, plaintext, aad);

    assertThat(first.ciphertext()).hasSize(plaintext.length + 16).isNotEqualTo(plaintext);
    assertThat(first.iv()).hasSize(12).isNotEqualTo(second.iv());
    assertThat(session.decryptAesGcm(key, first, aad)).isEqualTo(plaintext);
    assertThat(session.decryptAesGcm(key, AesGcmCiphertext.decode(second.encoded()), aad))
        .isEqualTo(plaintext);
  }

  @Test
  void aesGcm_tampering_failsDecryption() {
    TokenObject key = session.generateAes256Key("gcm-tamper");
    byte[] aad = {1, 2, 3};
    AesGcmCiphertext sealed =
        session.encryptAesGcm(key, "secret seed".getBytes(StandardCharsets.UTF_8), aad);

    byte[] flippedCiphertext = sealed.encoded();
    flippedCiphertext[12] ^= 1;
    byte[] flippedTag = sealed.encoded();
    flippedTag[flippedTag.length - 1] ^= 1;
    byte[] flippedIv = sealed.encoded();
    flippedIv[0] ^= 1;

    for (byte[] tampered : List.of(flippedCiphertext, flippedTag, flippedIv)) {
      CkrException e =
          catchThrowableOfType(
              CkrException.class,
              () -> session.decryptAesGcm(key, AesGcmCiphertext.decode(tampered), aad));
      assertThat(e.function()).isEqualTo("C_Decrypt");
    }
    assertThatThrownBy(() -> session.decryptAesGcm(key, sealed, new byte[] {1, 2, 4}))
        .as("other associated data")
        .isInstanceOf(CkrException.class);
  }

  @Test
  void createObject_dataObject_canBeFoundReadAndDestroyed() {
    byte[] value = "trusted root v7".getBytes(StandardCharsets.UTF_8);
    TokenObject object =
        session.createObject(
            List.of(
                Attribute.of(CKA_CLASS, CKO_DATA),
                Attribute.of(CKA_TOKEN, true),
                Attribute.of(CKA_PRIVATE, false),
                Attribute.of(CKA_LABEL, "anchor"),
                Attribute.of(CKA_VALUE, value)));
    assertThat(session.findOne(ObjectQuery.all().ofClass(CKO_DATA).withLabel("anchor")))
        .isEqualTo(object);
    assertThat(session.attribute(object, CKA_VALUE)).hasValue(value);

    session.destroy(object);

    assertThat(session.find(ObjectQuery.all().withLabel("anchor"))).isEmpty();
  }

  @Test
  void sign_mechanismTheTokenLacks_isMechanismInvalid() {
    TokenKeyPair pair = session.generateEcdsaP256KeyPair("wrong-mech");
    CkrException e =
        catchThrowableOfType(
            CkrException.class,
            () -> session.sign(pair.privateObject(), 0x7777_0000L, new byte[32]));
    assertThat(e.is(Ckr.CKR_MECHANISM_INVALID)).isTrue();
    assertThat(e.getMessage()).contains("the token does not support this mechanism");
  }

  @Test
  void close_session_thenUse_isRefused() {
    session.close();
    session.close();
    assertThatThrownBy(() -> session.find(ObjectQuery.all()))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("session is closed");
  }
}
