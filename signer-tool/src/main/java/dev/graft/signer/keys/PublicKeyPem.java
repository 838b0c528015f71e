package dev.graft.signer.keys;

import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.signer.CliException;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A TUF public key as an X.509 SubjectPublicKeyInfo (RFC 5280), DER or PEM ({@code -----BEGIN
 * PUBLIC KEY-----}), for tools outside TUF: OpenSSL, a CA, a hardware inventory. Ed25519 keys use
 * id-Ed25519 (RFC 8410); ECDSA keys are already PEM in their TUF form and are re-encoded the same
 * way; composite keys use the composite ML-DSA draft's OID ({@value CompositeMlDsa#OID}) with the
 * concatenated public keys as the BIT STRING, as that draft defines.
 */
public final class PublicKeyPem {
  private static final ASN1ObjectIdentifier ED25519 = new ASN1ObjectIdentifier("1.3.101.112");
  private static final ASN1ObjectIdentifier COMPOSITE =
      new ASN1ObjectIdentifier(CompositeMlDsa.OID);
  private static final String LABEL = "PUBLIC KEY";

  private PublicKeyPem() {}

  /**
   * The DER SubjectPublicKeyInfo of {@code key}.
   *
   * @throws CliException for a key type Graft does not know or a malformed public value
   */
  public static byte[] der(TufKey key) {
    KeyType type =
        key.type()
            .orElseThrow(() ->
                new CliException(
                    "key "
                        + key.keyId()
                        + " is of type "
                        + key.keyType()
                        + ", which Graft does"
                        + " not know"));
    try {
      return switch (type) {
        case ED25519 -> spki(ED25519, raw(key, CompositeMlDsa.ED25519_PUBLIC_KEY_BYTES));
        case MLDSA65_ED25519 -> spki(COMPOSITE, raw(key, CompositeMlDsa.PUBLIC_KEY_BYTES));
        case ECDSA_P256, RSA_PSS_SHA256 -> decodePem(key.publicValue());
      };
    } catch (IllegalArgumentException | IOException e) {
      throw new CliException(
          "the public value of key " + key.keyId() + " is malformed: " + e.getMessage(), e);
    }
  }

  /** {@link #der(TufKey)} as PEM with 64-character lines and a final newline, as OpenSSL writes. */
  public static String pem(TufKey key) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der(key));
    return "-----BEGIN " + LABEL + "-----\n" + body + "\n-----END " + LABEL + "-----\n";
  }

  private static byte[] spki(ASN1ObjectIdentifier algorithm, byte[] raw) throws IOException {
    return new SubjectPublicKeyInfo(new AlgorithmIdentifier(algorithm), raw)
        .getEncoded(ASN1Encoding.DER);
  }

  private static byte[] raw(TufKey key, int length) {
    byte[] raw = HexFormat.of().parseHex(key.publicValue());
    if (raw.length != length) {
      throw new IllegalArgumentException(
          "a " + key.keyType() + " public key is " + length + " bytes, not " + raw.length);
    }
    return raw;
  }

  /** The DER of a PEM public value, checked to be one SubjectPublicKeyInfo. */
  private static byte[] decodePem(String pem) throws IOException {
    String text = pem.strip();
    String begin = "-----BEGIN " + LABEL + "-----";
    String end = "-----END " + LABEL + "-----";
    if (!text.startsWith(begin) || !text.endsWith(end)) {
      throw new IllegalArgumentException("it is not a PEM PUBLIC KEY block");
    }
    byte[] der =
        Base64.getDecoder()
            .decode(
                text.substring(begin.length(), text.length() - end.length()).replaceAll("\\s", ""));
    return SubjectPublicKeyInfo.getInstance(der).getEncoded(ASN1Encoding.DER);
  }
}
