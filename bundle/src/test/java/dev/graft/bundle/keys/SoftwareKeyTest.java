package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.KeyFileException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SoftwareKeyTest {
  private static final byte[] MESSAGE = "root metadata, version 3".getBytes(StandardCharsets.UTF_8);
  private static final Map<KeyType, SoftwareKey> KEYS = new EnumMap<>(KeyType.class);

  @BeforeAll
  static void generateKeys() {
    for (KeyType type : KeyType.values()) {
      if (type != KeyType.RSA_PSS_SHA256) {
        KEYS.put(type, SoftwareKey.generate(type));
      }
    }
  }

  private static SoftwareKey key(KeyType type) {
    SoftwareKey key = KEYS.get(type);
    if (key == null) {
      throw new IllegalStateException("no key generated for " + type);
    }
    return key;
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void sign_anySigningType_verifiesWithVerifiersAndNotForOtherMessage(KeyType type) {
    SoftwareKey key = key(type);
    byte[] signature = key.sign(MESSAGE);
    Verifier verifier = Verifiers.forKey(key.publicKey()).orElseThrow();

    assertThat(key.type()).isEqualTo(type);
    assertThat(key.publicKey().type()).contains(type);
    assertThat(verifier.verify(MESSAGE, signature)).isTrue();
    assertThat(
            verifier.verify("root metadata, version 4".getBytes(StandardCharsets.UTF_8), signature))
        .isFalse();
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void sign_signatureOfOneKey_doesNotVerifyUnderAnother(KeyType type) {
    SoftwareKey other = SoftwareKey.generate(type);
    assertThat(
            Verifiers.forKey(other.publicKey())
                .orElseThrow()
                .verify(MESSAGE, key(type).sign(MESSAGE)))
        .isFalse();
  }

  @Test
  void generate_rsa_refusesBecauseRsaIsVerifyOnly() {
    assertThatThrownBy(() -> SoftwareKey.generate(KeyType.RSA_PSS_SHA256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("verifies RSA-PSS signatures")
        .hasMessageContaining("never makes them");
  }

  @Test
  void publicKey_ed25519_is64LowercaseHexDigits() {
    assertThat(key(KeyType.ED25519).publicKey().publicValue()).matches("[0-9a-f]{64}");
  }

  @Test
  void publicKey_composite_isHexOfMlDsaThenEd25519Key() {
    assertThat(key(KeyType.MLDSA65_ED25519).publicKey().publicValue())
        .matches("[0-9a-f]{" + 2 * CompositeMlDsa.PUBLIC_KEY_BYTES + "}");
  }

  @Test
  void publicKey_ecdsa_isSubjectPublicKeyInfoPemLaidOutLikeSecuresystemslib() throws Exception {
    String pem = key(KeyType.ECDSA_P256).publicKey().publicValue();

    // 91 bytes of SubjectPublicKeyInfo: two base64 lines of 64 and 60 characters, final newline.
    assertThat(pem)
        .matches(
            """
            -----BEGIN PUBLIC KEY-----
            [A-Za-z0-9+/]{64}
            [A-Za-z0-9+/=]{60}
            -----END PUBLIC KEY-----
            """);
    byte[] der =
        Base64.getDecoder()
            .decode(
                pem.replace("-----BEGIN PUBLIC KEY-----", "")
                    .replace("-----END PUBLIC KEY-----", "")
                    .replace("\n", ""));
    ECPublicKey decoded =
        (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    assertThat(decoded.getParams().getOrder().bitLength()).isEqualTo(256);
  }

  @Test
  void sign_ecdsa_producesDerSequenceOfTwoIntegers() {
    byte[] signature = key(KeyType.ECDSA_P256).sign(MESSAGE);
    ASN1Sequence sequence = ASN1Sequence.getInstance(signature);
    assertThat(sequence.size()).isEqualTo(2);
    assertThat(sequence.getObjectAt(0)).isInstanceOf(ASN1Integer.class);
    assertThat(sequence.getObjectAt(1)).isInstanceOf(ASN1Integer.class);
  }

  @Test
  void sign_ed25519_isDeterministic() {
    SoftwareKey key = key(KeyType.ED25519);
    assertThat(key.sign(MESSAGE)).hasSize(64).isEqualTo(key.sign(MESSAGE));
  }

  @Test
  void sign_composite_isHedgedAndFullLength() {
    SoftwareKey key = key(KeyType.MLDSA65_ED25519);
    byte[] first = key.sign(MESSAGE);
    byte[] second = key.sign(MESSAGE);
    Verifier verifier = Verifiers.forKey(key.publicKey()).orElseThrow();

    assertThat(first).hasSize(CompositeMlDsa.SIGNATURE_BYTES).isNotEqualTo(second);
    assertThat(verifier.verify(MESSAGE, first)).isTrue();
    assertThat(verifier.verify(MESSAGE, second)).isTrue();
  }

  @Test
  void description_generatedKey_saysSoftwareKeyAndWhereItCameFrom() {
    assertThat(key(KeyType.ED25519).description()).isEqualTo("software key generated in memory");
    assertThat(key(KeyType.ED25519).toString())
        .contains("software key generated in memory")
        .contains(key(KeyType.ED25519).keyId());
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void fromPrivateKeyInfo_ownEncoding_givesTheSameKey(KeyType type) {
    SoftwareKey original = key(type);
    SoftwareKey copy = SoftwareKey.fromPrivateKeyInfo(original.privateKeyInfo(), "from a test");

    assertThat(copy.publicKey()).isEqualTo(original.publicKey());
    assertThat(copy.description()).isEqualTo("software key from a test");
    assertThat(
            Verifiers.forKey(original.publicKey())
                .orElseThrow()
                .verify(MESSAGE, copy.sign(MESSAGE)))
        .isTrue();
  }

  @Test
  void fromPrivateKeyInfo_jdkEcdsaEncoding_derivesTheJdkPublicKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();

    SoftwareKey key =
        SoftwareKey.fromPrivateKeyInfo(
            PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded()), "from the JDK");

    assertThat(key.publicKey().publicValue())
        .isEqualTo(Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()));
  }

  @Test
  void fromPrivateKeyInfo_rsaKey_refusesNamingTheAlgorithm() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    PrivateKeyInfo rsa =
        PrivateKeyInfo.getInstance(generator.generateKeyPair().getPrivate().getEncoded());

    assertThatThrownBy(() -> SoftwareKey.fromPrivateKeyInfo(rsa, "from a test"))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("1.2.840.113549.1.1.1")
        .hasMessageContaining("does not sign with");
  }

  @Test
  void fromPrivateKeyInfo_ecdsaOnP384_refuses() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    PrivateKeyInfo p384 =
        PrivateKeyInfo.getInstance(generator.generateKeyPair().getPrivate().getEncoded());

    assertThatThrownBy(() -> SoftwareKey.fromPrivateKeyInfo(p384, "from a test"))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("not on the named curve P-256");
  }

  @Test
  void fromPrivateKeyInfo_ecdsaWithSomeoneElsesPublicPoint_refuses() throws Exception {
    PrivateKeyInfo mine = key(KeyType.ECDSA_P256).privateKeyInfo();
    PrivateKeyInfo theirs = SoftwareKey.generate(KeyType.ECDSA_P256).privateKeyInfo();
    BigInteger d =
        org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(mine.parsePrivateKey()).getKey();
    DERBitString theirPoint =
        new DERBitString(
            org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(theirs.parsePrivateKey())
                .getPublicKey()
                .getOctets());
    PrivateKeyInfo mixed =
        new PrivateKeyInfo(
            new AlgorithmIdentifier(
                X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1),
            new org.bouncycastle.asn1.sec.ECPrivateKey(256, d, theirPoint, null));

    assertThatThrownBy(() -> SoftwareKey.fromPrivateKeyInfo(mixed, "from a test"))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("does not belong to its private key");
  }
}
