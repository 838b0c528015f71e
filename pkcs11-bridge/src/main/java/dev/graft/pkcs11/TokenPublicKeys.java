package dev.graft.pkcs11;

import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Turns what a token stores about a public key ({@code CKA_EC_PARAMS}, {@code CKA_EC_POINT}) into
 * the forms Graft uses — a JDK key, a TUF key object written exactly as {@code SoftwareKey} writes
 * it — and converts ECDSA signatures between the token's raw {@code r ‖ s} and DER.
 */
final class TokenPublicKeys {
  /** DER of the named-curve OID 1.2.840.10045.3.1.7 (P-256, prime256v1). */
  static final byte[] P256_PARAMS = HexFormat.of().parseHex("06082a8648ce3d030107");

  /** DER of the OID 1.3.101.112 (id-Ed25519, RFC 8410). */
  static final byte[] ED25519_OID_PARAMS = HexFormat.of().parseHex("06032b6570");

  /** DER PrintableString "edwards25519", the other form PKCS#11 3.0 allows (pkcs11-tool's). */
  static final byte[] ED25519_NAME_PARAMS = HexFormat.of().parseHex("130c656477617264733235353139");

  static final int P256_COORDINATE_BYTES = 32;
  static final int ED25519_PUBLIC_KEY_BYTES = 32;

  private static final X9ECParameters P256 =
      ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1);

  private TokenPublicKeys() {}

  /**
   * The P-256 public key a token describes.
   *
   * @throws Pkcs11Exception naming {@code where} if the curve is not P-256 or the point is not on
   *     it
   */
  static ECPublicKey ecdsaP256(byte[] ecParams, byte[] ecPoint, String where) {
    if (!Arrays.equals(ecParams, P256_PARAMS)) {
      throw new Pkcs11Exception(
          where
              + " is an EC key, but not on P-256 (CKA_EC_PARAMS "
              + HexFormat.of().formatHex(ecParams)
              + "); Graft signs only with ECDSA P-256");
    }
    byte[] point = unwrapOctetString(ecPoint, 1 + 2 * P256_COORDINATE_BYTES, where);
    try {
      P256.getCurve().decodePoint(point);
      byte[] spki =
          new SubjectPublicKeyInfo(
                  new AlgorithmIdentifier(
                      X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1),
                  point)
              .getEncoded(ASN1Encoding.DER);
      return (ECPublicKey)
          KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
    } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
      throw new Pkcs11Exception(
          where
              + " holds an EC point that is not a valid P-256 public key ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /** The 32 raw bytes of the Ed25519 public key a token describes. */
  static byte[] ed25519(byte[] ecParams, byte[] ecPoint, String where) {
    if (!Arrays.equals(ecParams, ED25519_OID_PARAMS)
        && !Arrays.equals(ecParams, ED25519_NAME_PARAMS)) {
      throw new Pkcs11Exception(
          where
              + " is an Edwards-curve key, but not Ed25519 (CKA_EC_PARAMS "
              + HexFormat.of().formatHex(ecParams)
              + ")");
    }
    return unwrapOctetString(ecPoint, ED25519_PUBLIC_KEY_BYTES, where);
  }

  /**
   * {@code CKA_EC_POINT} is a DER OCTET STRING around the point (PKCS#11 2.40 and SoftHSM2), but
   * some tokens store the bare point; both are accepted, as the lengths cannot be confused.
   */
  private static byte[] unwrapOctetString(byte[] value, int pointLength, String where) {
    if (value.length == pointLength + 2 && value[0] == 0x04 && value[1] == pointLength) {
      return Arrays.copyOfRange(value, 2, value.length);
    }
    if (value.length == pointLength) {
      return value.clone();
    }
    throw new Pkcs11Exception(
        where
            + " has a CKA_EC_POINT of "
            + value.length
            + " bytes, neither a "
            + pointLength
            + "-byte point nor a DER OCTET STRING of one");
  }

  /** The TUF key object, with the public value a PEM SPKI exactly as SoftwareKey writes it. */
  static TufKey tufKey(ECPublicKey key) {
    return TufKey.of(KeyType.ECDSA_P256, pem(key.getEncoded()));
  }

  static TufKey tufKey(byte[] ed25519PublicKey) {
    return TufKey.of(KeyType.ED25519, HexFormat.of().formatHex(ed25519PublicKey));
  }

  /** RFC 7468 PEM with 64-character lines and a final newline, as OpenSSL writes it. */
  static String pem(byte[] spki) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(spki);
    return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
  }

  /** The DER {@code ECDSA-Sig-Value} of a raw {@code r ‖ s} of two 32-byte integers. */
  static byte[] rawToDer(byte[] raw) {
    if (raw.length != 2 * P256_COORDINATE_BYTES) {
      throw new Pkcs11Exception(
          "the token returned an ECDSA P-256 signature of "
              + raw.length
              + " bytes; CKM_ECDSA on P-256 gives 64 (r ‖ s)");
    }
    byte[] r = integer(Arrays.copyOf(raw, P256_COORDINATE_BYTES));
    byte[] s = integer(Arrays.copyOfRange(raw, P256_COORDINATE_BYTES, raw.length));
    byte[] der = new byte[2 + r.length + s.length];
    der[0] = 0x30;
    der[1] = (byte) (r.length + s.length);
    System.arraycopy(r, 0, der, 2, r.length);
    System.arraycopy(s, 0, der, 2 + r.length, s.length);
    return der;
  }

  private static byte[] integer(byte[] unsigned) {
    byte[] minimal = new BigInteger(1, unsigned).toByteArray();
    byte[] out = new byte[2 + minimal.length];
    out[0] = 0x02;
    out[1] = (byte) minimal.length;
    System.arraycopy(minimal, 0, out, 2, minimal.length);
    return out;
  }

  /**
   * The raw {@code r ‖ s} of a DER {@code ECDSA-Sig-Value}, or empty when the bytes are not a
   * strictly (DER, not BER) encoded pair of positive integers that fit P-256 — such a signature
   * cannot be valid, and verifiers answer false for it.
   */
  static Optional<byte[]> derToRaw(byte[] der) {
    if (der.length < 8 || der[0] != 0x30 || (der[1] & 0xff) != der.length - 2) {
      return Optional.empty();
    }
    byte[] raw = new byte[2 * P256_COORDINATE_BYTES];
    int next = readInteger(der, 2, raw, 0);
    if (next < 0) {
      return Optional.empty();
    }
    next = readInteger(der, next, raw, P256_COORDINATE_BYTES);
    if (next != der.length) {
      return Optional.empty();
    }
    return Optional.of(raw);
  }

  /** Reads one INTEGER at {@code at} into 32 bytes of {@code out}; the next offset or -1. */
  private static int readInteger(byte[] der, int at, byte[] out, int outOffset) {
    if (at + 2 > der.length || der[at] != 0x02) {
      return -1;
    }
    int length = der[at + 1] & 0xff;
    int start = at + 2;
    if (length == 0 || length > 0x7f || start + length > der.length) {
      return -1;
    }
    if ((der[start] & 0x80) != 0) {
      return -1; // negative
    }
    if (length > 1 && der[start] == 0 && (der[start + 1] & 0x80) == 0) {
      return -1; // a leading zero byte that DER forbids
    }
    int skip = der[start] == 0 ? 1 : 0;
    int significant = length - skip;
    if (significant > P256_COORDINATE_BYTES) {
      return -1;
    }
    System.arraycopy(
        der, start + skip, out, outOffset + P256_COORDINATE_BYTES - significant, significant);
    return start + length;
  }
}
