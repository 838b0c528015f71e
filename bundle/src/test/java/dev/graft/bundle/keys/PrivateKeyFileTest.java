package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.KeyFileException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PrivateKeyFileTest {
  /** The cheapest cost Graft writes, to keep the suite fast; production uses 600 000. */
  private static final int ITERATIONS = PrivateKeyFile.MIN_ITERATIONS;

  private static final String PASSPHRASE = "correct horse battery staple";
  private static final byte[] MESSAGE = "snapshot metadata".getBytes(StandardCharsets.UTF_8);
  private static final Map<KeyType, SoftwareKey> KEYS = new EnumMap<>(KeyType.class);
  private static final Map<KeyType, byte[]> FILES = new EnumMap<>(KeyType.class);

  @BeforeAll
  static void writeFiles() {
    for (KeyType type : KeyType.values()) {
      if (type != KeyType.RSA_PSS_SHA256) {
        SoftwareKey key = SoftwareKey.generate(type);
        KEYS.put(type, key);
        FILES.put(type, PrivateKeyFile.encrypt(key, PASSPHRASE.toCharArray(), ITERATIONS));
      }
    }
  }

  private static SoftwareKey key(KeyType type) {
    SoftwareKey key = KEYS.get(type);
    if (key == null) {
      throw new IllegalStateException("no key for " + type);
    }
    return key;
  }

  private static byte[] file(KeyType type) {
    byte[] file = FILES.get(type);
    if (file == null) {
      throw new IllegalStateException("no file for " + type);
    }
    return file;
  }

  private static SoftwareKey decrypt(byte[] file, String passphrase) {
    return PrivateKeyFile.decrypt(file, passphrase.toCharArray(), "release-1.pem");
  }

  private static byte[] der(byte[] file) {
    return Pem.decode(new String(file, StandardCharsets.US_ASCII), "ENCRYPTED PRIVATE KEY");
  }

  private static byte[] pem(byte[] der) {
    return Pem.encode("ENCRYPTED PRIVATE KEY", der).getBytes(StandardCharsets.US_ASCII);
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void decrypt_fileGraftWrote_givesTheSameKey(KeyType type) {
    SoftwareKey original = key(type);
    SoftwareKey read = decrypt(file(type), PASSPHRASE);

    assertThat(read.type()).isEqualTo(type);
    assertThat(read.publicKey()).isEqualTo(original.publicKey());
    assertThat(read.description()).isEqualTo("software key from release-1.pem");
    assertThat(
            Verifiers.forKey(original.publicKey())
                .orElseThrow()
                .verify(MESSAGE, read.sign(MESSAGE)))
        .isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void encrypt_writesPbes2WithPbkdf2Sha256AndAes256Cbc(KeyType type) {
    String text = new String(file(type), StandardCharsets.US_ASCII);
    EncryptedPrivateKeyInfo info = EncryptedPrivateKeyInfo.getInstance(der(file(type)));
    PBES2Parameters pbes2 =
        PBES2Parameters.getInstance(info.getEncryptionAlgorithm().getParameters());
    PBKDF2Params kdf = PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters());

    assertThat(text).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
    assertThat(text).endsWith("\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThat(info.getEncryptionAlgorithm().getAlgorithm())
        .isEqualTo(PKCSObjectIdentifiers.id_PBES2);
    assertThat(pbes2.getKeyDerivationFunc().getAlgorithm())
        .isEqualTo(PKCSObjectIdentifiers.id_PBKDF2);
    assertThat(kdf.getPrf().getAlgorithm()).isEqualTo(PKCSObjectIdentifiers.id_hmacWithSHA256);
    assertThat(kdf.getIterationCount().intValue()).isEqualTo(ITERATIONS);
    assertThat(kdf.getSalt()).hasSize(16);
    assertThat(pbes2.getEncryptionScheme().getAlgorithm())
        .isEqualTo(NISTObjectIdentifiers.id_aes256_CBC);
    assertThat(ASN1OctetString.getInstance(pbes2.getEncryptionScheme().getParameters()).getOctets())
        .hasSize(16);
  }

  @Test
  void encrypt_byDefault_uses600000Iterations() {
    assertThat(PrivateKeyFile.DEFAULT_ITERATIONS).isGreaterThanOrEqualTo(600_000);
    byte[] file = PrivateKeyFile.encrypt(key(KeyType.ED25519), PASSPHRASE.toCharArray());
    PBES2Parameters pbes2 =
        PBES2Parameters.getInstance(
            EncryptedPrivateKeyInfo.getInstance(der(file))
                .getEncryptionAlgorithm()
                .getParameters());
    assertThat(
            PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters())
                .getIterationCount()
                .intValue())
        .isEqualTo(PrivateKeyFile.DEFAULT_ITERATIONS);
    assertThat(decrypt(file, PASSPHRASE).publicKey()).isEqualTo(key(KeyType.ED25519).publicKey());
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void encrypt_fileHoldsNoPrivateKeyBytesInClear(KeyType type) throws Exception {
    PrivateKeyInfo info = key(type).privateKeyInfo();
    byte[] plain = info.getEncoded(ASN1Encoding.DER);
    byte[] secret =
        type == KeyType.ECDSA_P256
            ? org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey())
                .getKey()
                .toByteArray()
            : type == KeyType.ED25519
                ? ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets()
                : info.getPrivateKey().getOctets();
    byte[] secretCore = Arrays.copyOfRange(secret, secret.length - 24, secret.length);
    byte[] file = file(type);
    byte[] der = der(file);
    String text = new String(file, StandardCharsets.US_ASCII);

    assertThat(indexOf(der, secretCore)).isEqualTo(-1);
    assertThat(indexOf(der, Arrays.copyOf(plain, 24))).isEqualTo(-1);
    assertThat(indexOf(file, secretCore)).isEqualTo(-1);
    assertThat(text.toLowerCase(Locale.ROOT)).doesNotContain(HexFormat.of().formatHex(secretCore));
    assertThat(text.replace("\n", ""))
        .doesNotContain(Base64.getEncoder().encodeToString(secretCore));
  }

  @Test
  void encrypt_twice_usesFreshSaltAndIv() {
    byte[] again =
        PrivateKeyFile.encrypt(key(KeyType.ED25519), PASSPHRASE.toCharArray(), ITERATIONS);
    assertThat(again).isNotEqualTo(file(KeyType.ED25519));
    assertThat(decrypt(again, PASSPHRASE).publicKey()).isEqualTo(key(KeyType.ED25519).publicKey());
  }

  @Test
  void encryptAndDecrypt_clearThePassphraseArray() {
    char[] passphrase = PASSPHRASE.toCharArray();
    byte[] file = PrivateKeyFile.encrypt(key(KeyType.ED25519), passphrase, ITERATIONS);
    assertThat(new String(passphrase)).isEqualTo("\0".repeat(PASSPHRASE.length()));

    char[] again = PASSPHRASE.toCharArray();
    PrivateKeyFile.decrypt(file, again, "release-1.pem");
    assertThat(new String(again)).isEqualTo("\0".repeat(PASSPHRASE.length()));

    char[] wrong = "wrong".toCharArray();
    assertThatThrownBy(() -> PrivateKeyFile.decrypt(file, wrong, "release-1.pem"))
        .isInstanceOf(KeyFileException.class);
    assertThat(new String(wrong)).isEqualTo("\0".repeat(5));
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void decrypt_wrongPassphrase_saysPassphraseWrongOrFileDamaged(KeyType type) {
    assertThatThrownBy(() -> decrypt(file(type), "Correct horse battery staple"))
        .isInstanceOf(KeyFileException.class)
        .hasMessage("cannot decrypt release-1.pem: the passphrase is wrong or the file is damaged")
        .hasMessageNotContaining("horse");
  }

  @Test
  void decrypt_truncatedFile_refusesClearly() {
    byte[] file = file(KeyType.MLDSA65_ED25519);
    byte[] half = Arrays.copyOf(file, file.length / 2);
    assertThatThrownBy(() -> decrypt(half, PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessageStartingWith("release-1.pem is not an encrypted private key file")
        .hasMessageContaining("no end line");
  }

  @Test
  void decrypt_ciphertextCutShort_refusesClearly() throws Exception {
    byte[] der = der(file(KeyType.ED25519));
    EncryptedPrivateKeyInfo info = EncryptedPrivateKeyInfo.getInstance(der);
    byte[] ciphertext = info.getEncryptedData();
    byte[] shorter =
        new EncryptedPrivateKeyInfo(
                info.getEncryptionAlgorithm(), Arrays.copyOf(ciphertext, ciphertext.length - 16))
            .getEncoded();
    assertThatThrownBy(() -> decrypt(pem(shorter), PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessage("cannot decrypt release-1.pem: the passphrase is wrong or the file is damaged");
  }

  @Test
  void decrypt_derCutShort_refusesAsDamaged() {
    byte[] der = der(file(KeyType.ED25519));
    assertThatThrownBy(() -> decrypt(pem(Arrays.copyOf(der, der.length - 5)), PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("release-1.pem is damaged");
  }

  @Test
  void decrypt_garbledBase64_refusesClearly() {
    String text = new String(file(KeyType.ED25519), StandardCharsets.US_ASCII);
    int inBody = text.indexOf('\n') + 10;
    String garbled = text.substring(0, inBody) + "!" + text.substring(inBody + 1);
    assertThatThrownBy(() -> decrypt(garbled.getBytes(StandardCharsets.US_ASCII), PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("not valid base64");
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void decrypt_lastCiphertextBlockChanged_refuses(KeyType type) {
    byte[] der = der(file(type));
    der[der.length - 3] ^= 0x40;
    assertThatThrownBy(() -> decrypt(pem(der), PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessage("cannot decrypt release-1.pem: the passphrase is wrong or the file is damaged");
  }

  @Test
  void decrypt_ecdsaFileWithDamagedScalar_refusesBecauseThePublicPointNoLongerMatches() {
    // AES-CBC: changing ciphertext block 4 scrambles plaintext block 4 (bytes 48 to 63), which
    // lies inside the 32-byte scalar at bytes 36 to 67; the ASN.1 around it stays intact.
    byte[] der = der(file(KeyType.ECDSA_P256));
    int ciphertextStart =
        der.length - EncryptedPrivateKeyInfo.getInstance(der).getEncryptedData().length;
    der[ciphertextStart + 48] ^= 0x01;
    assertThatThrownBy(() -> decrypt(pem(der), PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessage(
            "release-1.pem is inconsistent: the public key stored in it does not belong to its"
                + " private key");
  }

  @Test
  void decryptWithExpectedKey_damagedEd25519Seed_refuses() {
    byte[] der = der(file(KeyType.ED25519));
    int ciphertextStart =
        der.length - EncryptedPrivateKeyInfo.getInstance(der).getEncryptedData().length;
    der[ciphertextStart + 20] ^= 0x01;
    TufKey expected = key(KeyType.ED25519).publicKey();

    // Without the expected key, CBC cannot notice: the damaged seed is just another seed.
    assertThat(decrypt(pem(der), PASSPHRASE).publicKey()).isNotEqualTo(expected);
    assertThatThrownBy(() ->
            PrivateKeyFile.decrypt(pem(der), PASSPHRASE.toCharArray(), "release-1.pem", expected))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("not the expected key " + expected.keyId())
        .hasMessageContaining("damaged or belongs to another key");
  }

  @Test
  void decryptWithExpectedKey_matchingKey_returnsIt() {
    TufKey expected = key(KeyType.MLDSA65_ED25519).publicKey();
    assertThat(
            PrivateKeyFile.decrypt(
                    file(KeyType.MLDSA65_ED25519),
                    PASSPHRASE.toCharArray(),
                    "release-1.pem",
                    expected)
                .publicKey())
        .isEqualTo(expected);
  }

  @Test
  void decrypt_unencryptedPkcs8_refusesAndSaysHowToEncrypt() throws Exception {
    byte[] plain =
        Pem.encode("PRIVATE KEY", key(KeyType.ED25519).privateKeyInfo().getEncoded())
            .getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> decrypt(plain, PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("unencrypted private key")
        .hasMessageContaining("openssl pkcs8 -topk8");
  }

  @Test
  void decrypt_publicKeyJson_refusesAsNotAKeyFile() {
    assertThatThrownBy(
            () -> decrypt(PublicKeyFile.encode(key(KeyType.ED25519).publicKey()), PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("is not an encrypted private key file")
        .hasMessageContaining("does not start with -----BEGIN ENCRYPTED PRIVATE KEY-----");
  }

  @Test
  void decrypt_hugeIterationCount_refusesBeforeDerivingAnything() throws Exception {
    byte[] der = der(file(KeyType.ED25519));
    EncryptedPrivateKeyInfo info = EncryptedPrivateKeyInfo.getInstance(der);
    PBES2Parameters pbes2 =
        PBES2Parameters.getInstance(info.getEncryptionAlgorithm().getParameters());
    PBKDF2Params kdf = PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters());
    PBES2Parameters greedy =
        new PBES2Parameters(
            new org.bouncycastle.asn1.pkcs.KeyDerivationFunc(
                PKCSObjectIdentifiers.id_PBKDF2,
                new PBKDF2Params(kdf.getSalt(), Integer.MAX_VALUE, 32, kdf.getPrf())),
            pbes2.getEncryptionScheme());
    byte[] file =
        pem(
            new EncryptedPrivateKeyInfo(
                    new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                        PKCSObjectIdentifiers.id_PBES2, greedy),
                    info.getEncryptedData())
                .getEncoded());

    assertThatThrownBy(() -> decrypt(file, PASSPHRASE))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("asks for 2147483647 PBKDF2 iterations");
  }

  @Test
  void encrypt_emptyPassphraseOrTooFewIterations_refuses() {
    assertThatThrownBy(() -> PrivateKeyFile.encrypt(key(KeyType.ED25519), new char[0], ITERATIONS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty passphrase");
    assertThatThrownBy(
            () -> PrivateKeyFile.encrypt(key(KeyType.ED25519), PASSPHRASE.toCharArray(), 1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 1000");
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void decodePlain_randomlyDamagedPkcs8_refusesWithKeyFileExceptionOrGivesAWorkingKey(KeyType type)
      throws Exception {
    byte[] plain = key(type).privateKeyInfo().getEncoded(ASN1Encoding.DER);
    Random random = new Random(8032 + type.name().hashCode());
    int refused = 0;
    for (int i = 0; i < 400; i++) {
      byte[] damaged = damage(plain, random);
      try {
        SoftwareKey read = PrivateKeyFile.decodePlain(damaged, "damaged.pem");
        assertThat(
                Verifiers.forKey(read.publicKey())
                    .orElseThrow()
                    .verify(MESSAGE, read.sign(MESSAGE)))
            .isTrue();
      } catch (KeyFileException expected) {
        assertThat(expected.getMessage()).contains("damaged.pem");
        refused++;
      }
    }
    assertThat(refused).isPositive();
  }

  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void decrypt_randomlyDamagedFile_refusesWithKeyFileExceptionOrGivesAWorkingKey(KeyType type) {
    byte[] der = der(file(type));
    Random random = new Random(7468 + type.name().hashCode());
    for (int i = 0; i < 40; i++) {
      byte[] damaged = pem(damage(der, random));
      try {
        SoftwareKey read = decrypt(damaged, PASSPHRASE);
        assertThat(
                Verifiers.forKey(read.publicKey())
                    .orElseThrow()
                    .verify(MESSAGE, read.sign(MESSAGE)))
            .isTrue();
      } catch (KeyFileException expected) {
        assertThat(expected.getMessage()).contains("release-1.pem");
      }
    }
  }

  /** One to three changed bytes, or the input cut short. */
  private static byte[] damage(byte[] input, Random random) {
    if (random.nextInt(5) == 0) {
      return Arrays.copyOf(input, random.nextInt(input.length));
    }
    byte[] out = input.clone();
    for (int changes = 1 + random.nextInt(3); changes > 0; changes--) {
      out[random.nextInt(out.length)] ^= (byte) (1 + random.nextInt(255));
    }
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
