package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Signing and verifying inside a real SoftHSM2 token, checked by software verifiers. */
class TokenSignerTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-signer-test");

  private static final byte[] MESSAGE =
      "{\"signed\":{\"_type\":\"targets\",\"version\":7}}".getBytes(StandardCharsets.UTF_8);

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
  void ecdsa_signature_verifiesWithTheJdkAndTheTrustCore() throws Exception {
    TokenEcdsaSigner signer =
        TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("release-ecdsa"));

    byte[] signature = signer.sign(MESSAGE);

    Signature jdk = Signature.getInstance("SHA256withECDSA");
    jdk.initVerify(jdkKey(signer.publicKey()));
    jdk.update(MESSAGE);
    assertThat(jdk.verify(signature)).isTrue();
    Verifier core = Verifiers.forKey(signer.publicKey()).orElseThrow();
    assertThat(core.verify(MESSAGE, signature)).isTrue();
    assertThat(core.verify("other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
    assertThat(signer.publicKey().type()).contains(KeyType.ECDSA_P256);
    assertThat(signer.keyId()).isEqualTo(signer.publicKey().keyId());
  }

  @Test
  void ecdsa_signatures_areRandomizedAndAllValid() {
    TokenEcdsaSigner signer =
        TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("randomized"));
    Verifier core = Verifiers.forKey(signer.publicKey()).orElseThrow();
    byte[] first = signer.sign(MESSAGE);
    byte[] second = signer.sign(MESSAGE);
    assertThat(first).isNotEqualTo(second);
    assertThat(core.verify(MESSAGE, first)).isTrue();
    assertThat(core.verify(MESSAGE, second)).isTrue();
  }

  @Test
  void ecdsa_description_saysWhereTheKeyIs() {
    TokenEcdsaSigner signer =
        TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("described"));
    assertThat(signer.description())
        .isEqualTo(
            "ECDSA P-256 key inside token '" + TOKEN.label() + "' (PKCS#11, non-extractable)");
  }

  @Test
  void ecdsa_find_byLabel_givesTheSameKey() {
    TokenKeyPair generated = session.generateEcdsaP256KeyPair("findable");
    TokenEcdsaSigner found =
        TokenEcdsaSigner.find(session, ObjectQuery.all().withLabel("findable"));
    assertThat(found.publicKey()).isEqualTo(generated.publicKey());
    assertThat(
            Verifiers.forKey(generated.publicKey())
                .orElseThrow()
                .verify(MESSAGE, found.sign(MESSAGE)))
        .isTrue();
  }

  @Test
  void ecdsa_ofAnEd25519Pair_isRefused() {
    TokenKeyPair ed = session.generateEd25519KeyPair("not-ecdsa");
    assertThatThrownBy(() -> TokenEcdsaSigner.of(session, ed))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("not an ECDSA P-256 key");
    assertThatThrownBy(
            () -> TokenEd25519Signer.of(session, session.generateEcdsaP256KeyPair("not-ed")))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("not an Ed25519 key");
  }

  @Test
  void ed25519_signature_verifiesWithBouncyCastleAndTheTrustCore() {
    TokenEd25519Signer signer =
        TokenEd25519Signer.of(session, session.generateEd25519KeyPair("composite-half"));
    byte[] representative = CompositeMlDsa.messageRepresentative(MESSAGE);

    byte[] signature = signer.sign(representative);

    assertThat(signature).hasSize(64);
    byte[] raw = HexFormat.of().parseHex(signer.publicKey().publicValue());
    Ed25519Signer bc = new Ed25519Signer();
    bc.init(false, new Ed25519PublicKeyParameters(raw));
    bc.update(representative, 0, representative.length);
    assertThat(bc.verifySignature(signature)).isTrue();
    assertThat(signer.publicKey().type()).contains(KeyType.ED25519);
    Verifier core = Verifiers.forKey(signer.publicKey()).orElseThrow();
    assertThat(core.verify(representative, signature)).isTrue();
    assertThat(core.verify(MESSAGE, signature)).isFalse();
    assertThat(signer.sign(representative)).as("Ed25519 is deterministic").isEqualTo(signature);
    assertThat(signer.description())
        .isEqualTo("Ed25519 key inside token '" + TOKEN.label() + "' (PKCS#11, non-extractable)");
  }

  @Test
  void ed25519_messageOverTheOneShotLimit_isRefusedClearly() {
    TokenEd25519Signer signer =
        TokenEd25519Signer.of(session, session.generateEd25519KeyPair("limit"));
    byte[] atLimit = new byte[TokenEd25519Signer.MAX_MESSAGE_BYTES];
    Verifier core = Verifiers.forKey(signer.publicKey()).orElseThrow();
    assertThat(core.verify(atLimit, signer.sign(atLimit))).isTrue();

    assertThatThrownBy(() -> signer.sign(new byte[TokenEd25519Signer.MAX_MESSAGE_BYTES + 1]))
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessageContaining("at most 1024 bytes")
        .hasMessageContaining("1025");
  }

  @Test
  void tokenVerifier_ecdsa_acceptsGoodAndRejectsBadSignatures() {
    TokenKeyPair pair = session.generateEcdsaP256KeyPair("verify-ecdsa");
    TokenVerifier verifier = TokenVerifier.of(session, pair);
    byte[] signature = TokenEcdsaSigner.of(session, pair).sign(MESSAGE);
    byte[] software = SoftwareKey.generate(KeyType.ECDSA_P256).sign(MESSAGE);

    assertThat(verifier.verify(MESSAGE, signature)).isTrue();
    assertThat(verifier.verify(Arrays.copyOf(MESSAGE, MESSAGE.length - 1), signature)).isFalse();
    assertThat(verifier.verify(MESSAGE, software)).as("another key's signature").isFalse();
    assertThat(verifier.verify(MESSAGE, new byte[] {0x30, 0x00})).as("not DER").isFalse();
    assertThat(verifier.verify(MESSAGE, new byte[0])).isFalse();
    assertThat(verifier.key()).isEqualTo(pair.publicKey());
    assertThat(verifier.fingerprint())
        .isEqualTo(Verifiers.forKey(pair.publicKey()).orElseThrow().fingerprint());
  }

  @Test
  void tokenVerifier_ecdsa_agreesWithTheSoftwareVerifierOnTheMirrorSignature() {
    // (r, n - s) is as valid as (r, s). The token and software verifiers must agree on it, or a
    // threshold could count a signature differently depending on where it is verified.
    TokenKeyPair pair = session.generateEcdsaP256KeyPair("verify-cross");
    byte[] signature = TokenEcdsaSigner.of(session, pair).sign(MESSAGE);
    byte[] raw = TokenPublicKeys.derToRaw(signature).orElseThrow();
    BigInteger n =
        new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(raw, 32, 64));
    byte[] flipped = Arrays.copyOf(raw, 64);
    byte[] negated = n.subtract(s).toByteArray();
    Arrays.fill(flipped, 32, 64, (byte) 0);
    int length = Math.min(32, negated.length);
    System.arraycopy(negated, negated.length - length, flipped, 64 - length, length);
    byte[] malleated = TokenPublicKeys.rawToDer(flipped);

    assertThat(Verifiers.forKey(pair.publicKey()).orElseThrow().verify(MESSAGE, malleated))
        .isTrue();
    assertThat(TokenVerifier.of(session, pair).verify(MESSAGE, malleated)).isTrue();
  }

  @Test
  void tokenVerifier_ed25519_acceptsGoodAndRejectsBadSignatures() {
    TokenKeyPair pair = session.generateEd25519KeyPair("verify-ed25519");
    TokenVerifier verifier = TokenVerifier.of(session, pair);
    byte[] signature = TokenEd25519Signer.of(session, pair).sign(MESSAGE);
    byte[] tampered = signature.clone();
    tampered[10] ^= 1;

    assertThat(verifier.verify(MESSAGE, signature)).isTrue();
    assertThat(verifier.verify(MESSAGE, tampered)).isFalse();
    assertThat(verifier.verify(MESSAGE, Arrays.copyOf(signature, 63))).isFalse();
    assertThat(verifier.fingerprint())
        .isEqualTo(Verifiers.forKey(pair.publicKey()).orElseThrow().fingerprint());
  }

  @Test
  void sign_fromFourThreadsWithOneModule_allSignaturesVerify() throws Exception {
    TokenEcdsaSigner ecdsa =
        TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("concurrent-ecdsa"));
    TokenEd25519Signer ed25519 =
        TokenEd25519Signer.of(session, session.generateEd25519KeyPair("concurrent-ed25519"));
    Verifier ecdsaCheck = Verifiers.forKey(ecdsa.publicKey()).orElseThrow();
    Verifier ed25519Check = Verifiers.forKey(ed25519.publicKey()).orElseThrow();

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        int t = thread;
        results.add(
            pool.submit(() -> {
              int valid = 0;
              for (int i = 0; i < 25; i++) {
                byte[] message = ("thread " + t + " message " + i).getBytes(StandardCharsets.UTF_8);
                valid += ecdsaCheck.verify(message, ecdsa.sign(message)) ? 1 : 0;
                valid += ed25519Check.verify(message, ed25519.sign(message)) ? 1 : 0;
              }
              return valid;
            }));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get()).isEqualTo(50);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** P10 asks for signing figures; this prints them (median of 200 each), it asserts validity. */
  @Test
  void signingTime_onSoftHsm_isReported() {
    TokenEcdsaSigner ecdsa =
        TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("timed-ecdsa"));
    TokenEd25519Signer ed25519 =
        TokenEd25519Signer.of(session, session.generateEd25519KeyPair("timed-ed25519"));
    byte[] representative = CompositeMlDsa.messageRepresentative(MESSAGE);

    double ecdsaMicros = medianMicros(() -> ecdsa.sign(MESSAGE));
    double ed25519Micros = medianMicros(() -> ed25519.sign(representative));

    System.out.printf(
        "SoftHSM2 signing, median of 200: ECDSA P-256 %.0f µs, Ed25519 %.0f µs%n",
        ecdsaMicros, ed25519Micros);
    assertThat(
            Verifiers.forKey(ecdsa.publicKey()).orElseThrow().verify(MESSAGE, ecdsa.sign(MESSAGE)))
        .isTrue();
    assertThat(ecdsaMicros).isPositive();
    assertThat(ed25519Micros).isPositive();
  }

  private static double medianMicros(Runnable operation) {
    for (int i = 0; i < 20; i++) {
      operation.run();
    }
    long[] nanos = new long[200];
    for (int i = 0; i < nanos.length; i++) {
      long start = System.nanoTime();
      operation.run();
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos[nanos.length / 2] / 1000.0;
  }

  static PublicKey jdkKey(TufKey key) throws Exception {
    String body =
        key.publicValue()
            .replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
  }
}
