package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.MLDSASigner;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The composite MLDSA65-Ed25519-SHA512 scheme: the LAMPS draft's own vectors, cross-checks against
 * Bouncy Castle's JCA implementation in both directions, and "hybrid means both".
 */
class CompositeMlDsaTest {
  private static final JsonObject VECTOR =
      JsonParser.withDefaults().parseObject(VectorFile.bytes("composite-mldsa65-ed25519.json"));
  private static final byte[] MESSAGE =
      "targets metadata, version 7".getBytes(StandardCharsets.UTF_8);
  private static final String BC_NAME = "MLDSA65-Ed25519-SHA512";

  private static SoftwareKey key;
  private static Verifier verifier;
  private static byte[] signature;
  private static SoftwareKey otherKey;
  private static boolean addedBouncyCastle;
  private static Provider bouncyCastle = new BouncyCastleProvider();

  @BeforeAll
  static void setUp() {
    key = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
    verifier = Verifiers.forKey(key.publicKey()).orElseThrow();
    signature = key.sign(MESSAGE);
    otherKey = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
    // BC's composite classes look their component algorithms up by the provider name "BC".
    Provider installed = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
    if (installed == null) {
      Security.addProvider(bouncyCastle);
      addedBouncyCastle = true;
    } else {
      bouncyCastle = installed;
    }
  }

  @AfterAll
  static void tearDown() {
    if (addedBouncyCastle) {
      Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
    }
  }

  private static byte[] base64(String member) {
    return Base64.getDecoder().decode(VECTOR.string(member));
  }

  // --- the draft's test vectors ---

  @Test
  void draftVector_isTheEntryForThisAlgorithm() throws Exception {
    assertThat(VECTOR.string("tcId")).isEqualTo("id-MLDSA65-Ed25519-SHA512");
    assertThat(VECTOR.string("oid")).isEqualTo(CompositeMlDsa.OID);
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(base64("sk_pkcs8"));
    assertThat(info.getPrivateKeyAlgorithm().getAlgorithm().getId()).isEqualTo(CompositeMlDsa.OID);
    assertThat(base64("pk")).hasSize(CompositeMlDsa.PUBLIC_KEY_BYTES);
    assertThat(base64("s")).hasSize(CompositeMlDsa.SIGNATURE_BYTES);
  }

  @Test
  void verify_draftVector_accepts() {
    Verifier draft = draftVerifier();
    assertThat(draft.verify(base64("m"), base64("s"))).isTrue();
  }

  @Test
  void verify_draftVectorWithOtherMessage_rejects() {
    Verifier draft = draftVerifier();
    byte[] message = base64("m");
    message[0] ^= 0x01;
    assertThat(draft.verify(message, base64("s"))).isFalse();
  }

  @Test
  void fromPrivateKeyInfo_draftPrivateKey_derivesDraftPublicKeyAndEncodesIdentically()
      throws Exception {
    byte[] pkcs8 = base64("sk_pkcs8");
    SoftwareKey draftKey =
        SoftwareKey.fromPrivateKeyInfo(PrivateKeyInfo.getInstance(pkcs8), "from the draft");

    assertThat(draftKey.publicKey().publicValue())
        .isEqualTo(HexFormat.of().formatHex(base64("pk")));
    assertThat(draftKey.privateKeyInfo().getEncoded(ASN1Encoding.DER)).isEqualTo(pkcs8);
  }

  @Test
  void sign_withDraftPrivateKey_verifiesUnderDraftPublicKey() {
    SoftwareKey draftKey =
        SoftwareKey.fromPrivateKeyInfo(
            PrivateKeyInfo.getInstance(base64("sk_pkcs8")), "from the draft");
    assertThat(draftVerifier().verify(MESSAGE, draftKey.sign(MESSAGE))).isTrue();
  }

  @Test
  void messageRepresentative_draftMessage_isPrefixLabelEmptyContextAndSha512() throws Exception {
    byte[] message = base64("m");
    byte[] expected =
        concat(
            "CompositeAlgorithmSignatures2025COMPSIG-MLDSA65-Ed25519-SHA512"
                .getBytes(StandardCharsets.US_ASCII),
            new byte[] {0},
            MessageDigest.getInstance("SHA-512").digest(message));
    assertThat(CompositeMlDsa.messageRepresentative(message)).isEqualTo(expected).hasSize(127);
  }

  // --- Bouncy Castle's JCA composite implementation, both directions ---

  @Test
  void verify_signatureMadeByBouncyCastleJca_accepts() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance(BC_NAME, bouncyCastle).generateKeyPair();
    byte[] raw =
        SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded())
            .getPublicKeyData()
            .getOctets();
    Signature signer = Signature.getInstance(BC_NAME, bouncyCastle);
    signer.initSign(pair.getPrivate());
    signer.update(MESSAGE);
    byte[] bcSignature = signer.sign();

    Verifier bcKey =
        Verifiers.forKey(TufKey.of(KeyType.MLDSA65_ED25519, HexFormat.of().formatHex(raw)))
            .orElseThrow();
    assertThat(bcKey.verify(MESSAGE, bcSignature)).isTrue();
    assertThat(bcKey.verify("other".getBytes(StandardCharsets.UTF_8), bcSignature)).isFalse();
  }

  @Test
  void bouncyCastleJca_verifiesSignatureMadeByGraft() throws Exception {
    assertThat(bcVerify(key.publicKey(), MESSAGE, signature)).isTrue();
    assertThat(bcVerify(key.publicKey(), "other".getBytes(StandardCharsets.UTF_8), signature))
        .isFalse();
  }

  @Test
  void bouncyCastleJca_readsGraftPrivateKeyEncoding() throws Exception {
    byte[] pkcs8 = key.privateKeyInfo().getEncoded(ASN1Encoding.DER);
    PrivateKey bcPrivate =
        KeyFactory.getInstance(BC_NAME, bouncyCastle)
            .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    Signature signer = Signature.getInstance(BC_NAME, bouncyCastle);
    signer.initSign(bcPrivate);
    signer.update(MESSAGE);

    assertThat(verifier.verify(MESSAGE, signer.sign())).isTrue();
    assertThat(bcPrivate.getEncoded()).isEqualTo(pkcs8);
  }

  private boolean bcVerify(TufKey publicKey, byte[] message, byte[] sig) throws Exception {
    byte[] spki =
        new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(new ASN1ObjectIdentifier(CompositeMlDsa.OID)),
                HexFormat.of().parseHex(publicKey.publicValue()))
            .getEncoded(ASN1Encoding.DER);
    PublicKey bcPublic =
        KeyFactory.getInstance(BC_NAME, bouncyCastle).generatePublic(new X509EncodedKeySpec(spki));
    Signature bcVerifier = Signature.getInstance(BC_NAME, bouncyCastle);
    bcVerifier.initVerify(bcPublic);
    bcVerifier.update(message);
    return bcVerifier.verify(sig);
  }

  // --- hybrid means both ---

  @Test
  void verify_validCompositeSignature_accepts() {
    assertThat(signature).hasSize(CompositeMlDsa.SIGNATURE_BYTES);
    assertThat(verifier.verify(MESSAGE, signature)).isTrue();
  }

  @Test
  void halves_eachVerifyOnTheirOwn_soTheTamperingTestsBelowMeanSomething() {
    byte[] representative = CompositeMlDsa.messageRepresentative(MESSAGE);
    byte[] raw = HexFormat.of().parseHex(key.publicKey().publicValue());
    assertThat(mldsaHalfVerifies(raw, representative, mldsaHalf(signature))).isTrue();
    assertThat(ed25519HalfVerifies(raw, representative, ed25519Half(signature))).isTrue();
  }

  @Test
  void verify_mlDsaHalfAltered_rejects() {
    byte[] altered = signature.clone();
    altered[100] ^= 0x01;
    assertThat(verifier.verify(MESSAGE, altered)).isFalse();
  }

  @Test
  void verify_ed25519HalfAltered_rejects() {
    byte[] altered = signature.clone();
    altered[CompositeMlDsa.MLDSA_SIGNATURE_BYTES + 5] ^= 0x01;
    assertThat(verifier.verify(MESSAGE, altered)).isFalse();
  }

  @Test
  void verify_ed25519HalfFromAnotherKey_rejects() {
    Ed25519PrivateKeyParameters stranger = new Ed25519PrivateKeyParameters(new SecureRandom());
    byte[] representative = CompositeMlDsa.messageRepresentative(MESSAGE);
    Ed25519Signer edSigner = new Ed25519Signer();
    edSigner.init(true, stranger);
    edSigner.update(representative, 0, representative.length);
    byte[] strangerHalf = edSigner.generateSignature();

    byte[] mixed = concat(mldsaHalf(signature), strangerHalf);

    assertThat(
            ed25519HalfVerifies(
                concat(
                    new byte[CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES],
                    stranger.generatePublicKey().getEncoded()),
                representative,
                strangerHalf))
        .isTrue();
    assertThat(verifier.verify(MESSAGE, mixed)).isFalse();
  }

  @Test
  void verify_mlDsaHalfFromAnotherKey_rejects() {
    byte[] foreign = otherKey.sign(MESSAGE);
    byte[] mixed = concat(mldsaHalf(foreign), ed25519Half(signature));

    assertThat(Verifiers.forKey(otherKey.publicKey()).orElseThrow().verify(MESSAGE, foreign))
        .isTrue();
    assertThat(verifier.verify(MESSAGE, mixed)).isFalse();
  }

  @Test
  void verify_wrongLength_rejects() {
    assertThat(verifier.verify(MESSAGE, Arrays.copyOf(signature, signature.length - 1))).isFalse();
    assertThat(verifier.verify(MESSAGE, Arrays.copyOf(signature, signature.length + 1))).isFalse();
    assertThat(verifier.verify(MESSAGE, mldsaHalf(signature))).isFalse();
    assertThat(verifier.verify(MESSAGE, ed25519Half(signature))).isFalse();
    assertThat(verifier.verify(MESSAGE, new byte[0])).isFalse();
  }

  @Test
  void verify_signatureOfOtherMessage_rejects() {
    assertThat(
            verifier.verify(
                "targets metadata, version 8".getBytes(StandardCharsets.UTF_8), signature))
        .isFalse();
  }

  private static Verifier draftVerifier() {
    return Verifiers.forKey(
            TufKey.of(KeyType.MLDSA65_ED25519, HexFormat.of().formatHex(base64("pk"))))
        .orElseThrow();
  }

  private static byte[] mldsaHalf(byte[] composite) {
    return Arrays.copyOf(composite, CompositeMlDsa.MLDSA_SIGNATURE_BYTES);
  }

  private static byte[] ed25519Half(byte[] composite) {
    return Arrays.copyOfRange(composite, CompositeMlDsa.MLDSA_SIGNATURE_BYTES, composite.length);
  }

  private static boolean mldsaHalfVerifies(byte[] rawPublic, byte[] representative, byte[] half) {
    MLDSASigner mldsa = new MLDSASigner();
    mldsa.init(
        false,
        new ParametersWithContext(
            new MLDSAPublicKeyParameters(
                MLDSAParameters.ml_dsa_65,
                Arrays.copyOf(rawPublic, CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES)),
            CompositeMlDsa.label()));
    mldsa.update(representative, 0, representative.length);
    return mldsa.verifySignature(half);
  }

  private static boolean ed25519HalfVerifies(byte[] rawPublic, byte[] representative, byte[] half) {
    Ed25519Signer ed = new Ed25519Signer();
    ed.init(
        false, new Ed25519PublicKeyParameters(rawPublic, CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES));
    ed.update(representative, 0, representative.length);
    return ed.verifySignature(half);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }
}
