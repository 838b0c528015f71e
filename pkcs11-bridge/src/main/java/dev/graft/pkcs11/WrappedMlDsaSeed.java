package dev.graft.pkcs11;

import dev.graft.bundle.keys.CompositeMlDsa;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The value of the data object that holds the ML-DSA-65 half of a {@link TokenCompositeKey}: the
 * 32-byte ML-DSA seed (FIPS 204 key generation input) encrypted with AES-256-GCM under the key's
 * wrapping key, together with everything the seed must match.
 *
 * <p>Version 1, all fields fixed-size but the id:
 *
 * <pre>
 * "GMLW" | 0x01 | id length (1 byte) | id | IV (12) | encrypted seed ‖ tag (48)
 *        | ML-DSA-65 public key (1952) | Ed25519 public key (32)
 * </pre>
 *
 * The GCM additional data is {@code "graft:mldsa65-wrapped:v1" | 0x00 | id length | id | ML-DSA
 * public key | Ed25519 public key}, so the encrypted seed decrypts only as part of the key it was
 * made for: an envelope copied to another key, or given another key's id or public keys, fails the
 * tag check. The id is carried here because PKCS#11 data objects have no {@code CKA_ID} (SoftHSM2
 * refuses it on them); the label is deliberately left out, so a key can be renamed.
 */
final class WrappedMlDsaSeed {
  /** {@code CKA_APPLICATION} of the data object. */
  static final String APPLICATION = "graft:mldsa65-wrapped";

  static final int SEED_BYTES = 32;
  static final int MAX_ID_BYTES = 255;

  private static final byte[] MAGIC = "GMLW".getBytes(StandardCharsets.US_ASCII);
  private static final byte VERSION = 1;
  private static final byte[] AAD_DOMAIN =
      "graft:mldsa65-wrapped:v1".getBytes(StandardCharsets.US_ASCII);
  private static final int SEALED_BYTES = SEED_BYTES + AesGcmCiphertext.TAG_BYTES;

  private final byte[] id;
  private final AesGcmCiphertext sealed;
  private final byte[] mldsaPublicKey;
  private final byte[] ed25519PublicKey;

  private WrappedMlDsaSeed(
      byte[] id, AesGcmCiphertext sealed, byte[] mldsaPublicKey, byte[] ed25519PublicKey) {
    this.id = id;
    this.sealed = sealed;
    this.mldsaPublicKey = mldsaPublicKey;
    this.ed25519PublicKey = ed25519PublicKey;
  }

  static WrappedMlDsaSeed of(
      byte[] id, AesGcmCiphertext sealed, byte[] mldsaPublicKey, byte[] ed25519PublicKey) {
    requireId(id);
    if (sealed.ciphertext().length != SEALED_BYTES) {
      throw new Pkcs11Exception(
          "an encrypted ML-DSA seed is "
              + SEALED_BYTES
              + " bytes with its tag, not "
              + sealed.ciphertext().length);
    }
    requireLength(mldsaPublicKey, CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES, "ML-DSA-65 public key");
    requireLength(ed25519PublicKey, CompositeMlDsa.ED25519_PUBLIC_KEY_BYTES, "Ed25519 public key");
    return new WrappedMlDsaSeed(
        id.clone(), sealed, mldsaPublicKey.clone(), ed25519PublicKey.clone());
  }

  /**
   * Reads a data object's value.
   *
   * @throws Pkcs11Exception naming {@code where} when the value is not a version 1 envelope
   */
  static WrappedMlDsaSeed decode(byte[] value, String where) {
    int fixed = MAGIC.length + 2;
    if (value.length < fixed || !Arrays.equals(value, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new Pkcs11Exception(
          where + " is not a wrapped ML-DSA key written by Graft (it does not start with GMLW)");
    }
    if (value[MAGIC.length] != VERSION) {
      throw new Pkcs11Exception(
          where
              + " is a wrapped ML-DSA key of format version "
              + Byte.toUnsignedInt(value[MAGIC.length])
              + "; this Graft reads version "
              + VERSION);
    }
    int idLength = Byte.toUnsignedInt(value[MAGIC.length + 1]);
    int expected =
        fixed
            + idLength
            + AesGcmCiphertext.IV_BYTES
            + SEALED_BYTES
            + CompositeMlDsa.PUBLIC_KEY_BYTES;
    if (idLength == 0 || value.length != expected) {
      throw new Pkcs11Exception(
          where
              + " is a damaged wrapped ML-DSA key: "
              + value.length
              + " bytes with an id of "
              + idLength
              + " bytes, expected "
              + expected);
    }
    int at = fixed;
    byte[] id = Arrays.copyOfRange(value, at, at += idLength);
    byte[] iv = Arrays.copyOfRange(value, at, at += AesGcmCiphertext.IV_BYTES);
    byte[] ciphertext = Arrays.copyOfRange(value, at, at += SEALED_BYTES);
    byte[] mldsa = Arrays.copyOfRange(value, at, at += CompositeMlDsa.MLDSA_PUBLIC_KEY_BYTES);
    byte[] ed25519 = Arrays.copyOfRange(value, at, value.length);
    return new WrappedMlDsaSeed(id, AesGcmCiphertext.of(iv, ciphertext), mldsa, ed25519);
  }

  byte[] encoded() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    out.write(VERSION);
    out.write(id.length);
    out.writeBytes(id);
    out.writeBytes(sealed.encoded());
    out.writeBytes(mldsaPublicKey);
    out.writeBytes(ed25519PublicKey);
    return out.toByteArray();
  }

  /** The GCM additional data for a key with this id and these public keys. */
  static byte[] aad(byte[] id, byte[] mldsaPublicKey, byte[] ed25519PublicKey) {
    requireId(id);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(AAD_DOMAIN);
    out.write(0);
    out.write(id.length);
    out.writeBytes(id);
    out.writeBytes(mldsaPublicKey);
    out.writeBytes(ed25519PublicKey);
    return out.toByteArray();
  }

  byte[] aad() {
    return aad(id, mldsaPublicKey, ed25519PublicKey);
  }

  byte[] id() {
    return id.clone();
  }

  AesGcmCiphertext sealed() {
    return sealed;
  }

  byte[] mldsaPublicKey() {
    return mldsaPublicKey.clone();
  }

  byte[] ed25519PublicKey() {
    return ed25519PublicKey.clone();
  }

  /** ML-DSA-65 public key ‖ Ed25519 public key: the composite key's public value. */
  byte[] compositePublicKey() {
    byte[] out = Arrays.copyOf(mldsaPublicKey, CompositeMlDsa.PUBLIC_KEY_BYTES);
    System.arraycopy(
        ed25519PublicKey, 0, out, mldsaPublicKey.length, CompositeMlDsa.ED25519_PUBLIC_KEY_BYTES);
    return out;
  }

  static void requireId(byte[] id) {
    if (id.length == 0 || id.length > MAX_ID_BYTES) {
      throw new Pkcs11Exception(
          "a composite key on a token needs an id (CKA_ID) of 1 to "
              + MAX_ID_BYTES
              + " bytes, not "
              + id.length);
    }
  }

  private static void requireLength(byte[] value, int length, String what) {
    if (value.length != length) {
      throw new Pkcs11Exception(
          "an " + what + " is " + length + " bytes, not " + value.length + " bytes");
    }
  }

  @Override
  public String toString() {
    return "WrappedMlDsaSeed[id " + HexFormat.of().formatHex(id) + "]";
  }
}
