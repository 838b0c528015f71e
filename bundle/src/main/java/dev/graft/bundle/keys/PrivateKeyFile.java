package dev.graft.bundle.keys;

import dev.graft.bundle.KeyFileException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.EncryptionScheme;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Private key files: PKCS#8 {@code ENCRYPTED PRIVATE KEY} PEM, encrypted with PBES2 (PBKDF2 with
 * HMAC-SHA-256, AES-256-CBC), as {@code openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256}
 * writes it, so OpenSSL can read the Ed25519 and ECDSA files Graft writes and Graft can read
 * OpenSSL's. Works on bytes: callers read and write the files.
 *
 * <p>Passphrases are {@code char[]} and are cleared as soon as the key is derived, whether the call
 * succeeds or not: after {@link #encrypt} or {@link #decrypt} returns, the array holds only zeros.
 */
public final class PrivateKeyFile {
  /** PBKDF2-HMAC-SHA-256 iterations written by default (the OWASP 2023 recommendation). */
  public static final int DEFAULT_ITERATIONS = 600_000;

  /** The fewest iterations Graft writes; lower costs exist only to keep tests fast. */
  public static final int MIN_ITERATIONS = 10_000;

  /** More than this is refused when reading: a hostile file could otherwise stall the reader. */
  public static final int MAX_ITERATIONS = 10_000_000;

  private static final String LABEL = "ENCRYPTED PRIVATE KEY";
  private static final int MAX_FILE_BYTES = 64 * 1024;
  private static final int SALT_BYTES = 16;
  private static final int IV_BYTES = 16;
  private static final AlgorithmIdentifier HMAC_SHA256 =
      new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE);
  private static final Map<ASN1ObjectIdentifier, Integer> AES_CBC_KEY_BYTES =
      Map.of(
          NISTObjectIdentifiers.id_aes128_CBC, 16,
          NISTObjectIdentifiers.id_aes192_CBC, 24,
          NISTObjectIdentifiers.id_aes256_CBC, 32);

  private PrivateKeyFile() {}

  /** The key as an encrypted PEM file with {@link #DEFAULT_ITERATIONS}; clears the passphrase. */
  public static byte[] encrypt(SoftwareKey key, char[] passphrase) {
    return encrypt(key, passphrase, DEFAULT_ITERATIONS);
  }

  /**
   * The key as an encrypted PEM file; clears the passphrase.
   *
   * @throws IllegalArgumentException when the passphrase is empty or the iteration count is outside
   *     [{@link #MIN_ITERATIONS}, {@link #MAX_ITERATIONS}]
   */
  public static byte[] encrypt(SoftwareKey key, char[] passphrase, int iterations) {
    try {
      if (passphrase.length == 0) {
        throw new IllegalArgumentException("an empty passphrase would leave the key unprotected");
      }
      if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
        throw new IllegalArgumentException(
            "PBKDF2 iterations must be between "
                + MIN_ITERATIONS
                + " and "
                + MAX_ITERATIONS
                + ", not "
                + iterations);
      }
      SecureRandom random = new SecureRandom();
      byte[] salt = new byte[SALT_BYTES];
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(salt);
      random.nextBytes(iv);
      byte[] plain = encode(key.privateKeyInfo());
      try {
        byte[] ciphertext =
            aesCbc(Cipher.ENCRYPT_MODE, passphrase, salt, iterations, 32, iv, plain);
        PBES2Parameters pbes2 =
            new PBES2Parameters(
                new KeyDerivationFunc(
                    PKCSObjectIdentifiers.id_PBKDF2,
                    new PBKDF2Params(salt, iterations, 32, HMAC_SHA256)),
                new EncryptionScheme(NISTObjectIdentifiers.id_aes256_CBC, new DEROctetString(iv)));
        EncryptedPrivateKeyInfo file =
            new EncryptedPrivateKeyInfo(
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBES2, pbes2), ciphertext);
        return Pem.encode(LABEL, encode(file)).getBytes(StandardCharsets.US_ASCII);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK provides PBKDF2-HMAC-SHA256 and AES-CBC", e);
      } finally {
        Arrays.fill(plain, (byte) 0);
      }
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  /**
   * The key in an encrypted PEM file, checked against the public key it must belong to; clears the
   * passphrase. Use this whenever the public key is known (a public key file, a role's key list):
   * AES-CBC has no integrity check, and damage inside the stored Ed25519 or ML-DSA seed turns it
   * into another, valid-looking key that only this comparison exposes. ECDSA files carry their
   * public point and are checked in any case.
   *
   * @throws KeyFileException as {@link #decrypt(byte[], char[], String)} does, and when the key
   *     does not match {@code expected}
   */
  public static SoftwareKey decrypt(
      byte[] file, char[] passphrase, String fileName, TufKey expected) {
    SoftwareKey key = decrypt(file, passphrase, fileName);
    Optional<String> expectedFingerprint = Verifiers.forKey(expected).map(Verifier::fingerprint);
    String actualFingerprint = Verifiers.forKey(key.publicKey()).orElseThrow().fingerprint();
    if (expectedFingerprint.isEmpty() || !expectedFingerprint.get().equals(actualFingerprint)) {
      throw new KeyFileException(
          fileName
              + " holds key "
              + key.keyId()
              + ", not the expected key "
              + expected.keyId()
              + ": the file is damaged or belongs to another key");
    }
    return key;
  }

  /**
   * The key in an encrypted PEM file; clears the passphrase. {@code fileName} names the file in
   * error messages and in the key's {@link SoftwareKey#description()}. Prefer {@link
   * #decrypt(byte[], char[], String, TufKey)} when the public key is known.
   *
   * @throws KeyFileException when the file is not an encrypted private key, uses an encryption
   *     Graft does not read, is damaged, holds a key Graft cannot sign with, or the passphrase is
   *     wrong (which AES-CBC cannot tell apart from damage)
   */
  public static SoftwareKey decrypt(byte[] file, char[] passphrase, String fileName) {
    try {
      EncryptedPrivateKeyInfo encrypted = parse(file, fileName);
      byte[] plain = decryptContent(encrypted, passphrase, fileName);
      try {
        return decodePlain(plain, fileName);
      } finally {
        Arrays.fill(plain, (byte) 0);
      }
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  /** The key in decrypted PKCS#8 bytes. */
  static SoftwareKey decodePlain(byte[] plain, String fileName) {
    PrivateKeyInfo info;
    try {
      // Bouncy Castle answers null for empty input.
      info = Objects.requireNonNull(PrivateKeyInfo.getInstance(ASN1Primitive.fromByteArray(plain)));
    } catch (IOException | RuntimeException e) {
      // CBC padding checks pass for about one wrong passphrase in 256; the content then fails
      // to parse.
      throw wrongPassphraseOrDamaged(fileName);
    }
    try {
      return SoftwareKey.fromPrivateKeyInfo(info, "from " + fileName);
    } catch (KeyFileException e) {
      throw new KeyFileException(fileName + " " + e.getMessage(), e);
    }
  }

  private static EncryptedPrivateKeyInfo parse(byte[] file, String fileName) {
    if (file.length > MAX_FILE_BYTES) {
      throw new KeyFileException(
          fileName + " is " + file.length + " bytes, too large to be a private key file");
    }
    String text = new String(file, StandardCharsets.ISO_8859_1);
    if (text.contains("-----BEGIN PRIVATE KEY-----")
        || text.contains("-----BEGIN EC PRIVATE KEY-----")
        || text.contains("-----BEGIN OPENSSH PRIVATE KEY-----")) {
      throw new KeyFileException(
          fileName
              + " holds an unencrypted private key; Graft only reads encrypted key files"
              + " (convert it with: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256)");
    }
    byte[] der;
    try {
      der = Pem.decode(text, LABEL);
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(
          fileName + " is not an encrypted private key file: " + e.getMessage(), e);
    }
    try {
      return Objects.requireNonNull(
          EncryptedPrivateKeyInfo.getInstance(ASN1Primitive.fromByteArray(der)));
    } catch (IOException | RuntimeException e) {
      // Bouncy Castle reports malformed structures with assorted unchecked exceptions.
      throw new KeyFileException(
          fileName + " is damaged: its ENCRYPTED PRIVATE KEY block is not a PKCS#8 structure", e);
    }
  }

  private static byte[] decryptContent(
      EncryptedPrivateKeyInfo encrypted, char[] passphrase, String fileName) {
    AlgorithmIdentifier scheme = encrypted.getEncryptionAlgorithm();
    if (!PKCSObjectIdentifiers.id_PBES2.equals(scheme.getAlgorithm())) {
      throw unsupported(fileName, "encryption scheme " + scheme.getAlgorithm().getId());
    }
    PBKDF2Params kdf;
    ASN1ObjectIdentifier cipher;
    byte[] iv;
    try {
      PBES2Parameters pbes2 = PBES2Parameters.getInstance(scheme.getParameters());
      KeyDerivationFunc function = pbes2.getKeyDerivationFunc();
      if (!PKCSObjectIdentifiers.id_PBKDF2.equals(function.getAlgorithm())) {
        throw unsupported(fileName, "key derivation " + function.getAlgorithm().getId());
      }
      kdf = PBKDF2Params.getInstance(function.getParameters());
      cipher = pbes2.getEncryptionScheme().getAlgorithm();
      ASN1OctetString ivString =
          ASN1OctetString.getInstance(pbes2.getEncryptionScheme().getParameters());
      if (kdf == null || ivString == null) {
        throw new IllegalArgumentException("missing PBKDF2 parameters or IV");
      }
      iv = ivString.getOctets();
    } catch (KeyFileException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new KeyFileException(fileName + " is damaged: its PBES2 parameters are malformed", e);
    }
    if (!PKCSObjectIdentifiers.id_hmacWithSHA256.equals(kdf.getPrf().getAlgorithm())) {
      throw unsupported(fileName, "PBKDF2 with " + kdf.getPrf().getAlgorithm().getId());
    }
    Integer keyBytes = AES_CBC_KEY_BYTES.get(cipher);
    if (keyBytes == null) {
      throw unsupported(fileName, "cipher " + cipher.getId());
    }
    BigInteger declaredLength = kdf.getKeyLength();
    if ((declaredLength != null && declaredLength.intValue() != keyBytes)
        || iv.length != IV_BYTES) {
      throw new KeyFileException(
          fileName + " is damaged: its key length or IV does not fit its AES-CBC cipher");
    }
    BigInteger iterations = kdf.getIterationCount();
    if (iterations.signum() <= 0 || iterations.compareTo(BigInteger.valueOf(MAX_ITERATIONS)) > 0) {
      throw new KeyFileException(
          fileName
              + " asks for "
              + iterations
              + " PBKDF2 iterations; Graft reads files with 1 to "
              + MAX_ITERATIONS);
    }
    try {
      return aesCbc(
          Cipher.DECRYPT_MODE,
          passphrase,
          kdf.getSalt(),
          iterations.intValue(),
          keyBytes,
          iv,
          encrypted.getEncryptedData());
    } catch (BadPaddingException | IllegalBlockSizeException e) {
      throw wrongPassphraseOrDamaged(fileName);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK provides PBKDF2-HMAC-SHA256 and AES-CBC", e);
    }
  }

  private static byte[] aesCbc(
      int mode,
      char[] passphrase,
      byte[] salt,
      int iterations,
      int keyBytes,
      byte[] iv,
      byte[] input)
      throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, keyBytes * 8);
    byte[] derived = null;
    try {
      derived =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      cipher.init(mode, new SecretKeySpec(derived, "AES"), new IvParameterSpec(iv));
      return cipher.doFinal(input);
    } finally {
      spec.clearPassword();
      if (derived != null) {
        Arrays.fill(derived, (byte) 0);
      }
    }
  }

  private static byte[] encode(org.bouncycastle.asn1.ASN1Object object) {
    try {
      return object.getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("DER encoding of a structure Graft built failed", e);
    }
  }

  private static KeyFileException wrongPassphraseOrDamaged(String fileName) {
    return new KeyFileException(
        "cannot decrypt " + fileName + ": the passphrase is wrong or the file is damaged");
  }

  private static KeyFileException unsupported(String fileName, String what) {
    return new KeyFileException(
        fileName
            + " is encrypted with "
            + what
            + ", which Graft does not read; Graft reads PBES2 with PBKDF2-HMAC-SHA256 and AES-CBC"
            + " (openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256)");
  }
}
