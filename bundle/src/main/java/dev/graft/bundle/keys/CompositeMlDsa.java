package dev.graft.bundle.keys;

import dev.graft.bundle.Digests;
import java.nio.charset.StandardCharsets;

/**
 * The composite signature {@code id-MLDSA65-Ed25519-SHA512} of the IETF LAMPS draft "Composite
 * ML-DSA for use in X.509 Public Key Infrastructure" as of draft-ietf-lamps-pq-composite-sigs-13,
 * the revision Bouncy Castle 1.87 implements. Revisions after -07 replaced its OID-based domain
 * separators with the label strings used here, and -13 took the final IANA OID ({@value #OID},
 * which BC writes into its keys). The test vector used here comes from the draft repository
 * (lamps-wg/draft-composite-sigs) at commit 5aa6a70, which is first contained in the tag of draft
 * -14, not -13; -14 keeps the construction, OID, prefix and label of -13, and the vector verifies
 * here and in BC.
 *
 * <p>Both components sign the same message representative M' = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖
 * SHA-512(M), here with an empty context, so M' is 127 bytes whatever the size of M: short enough
 * for a token's one-shot Ed25519. ML-DSA-65 signs M' with the label as its own context string;
 * Ed25519 signs M' as is. The signature is the ML-DSA signature followed by the Ed25519 one.
 */
public final class CompositeMlDsa {
  static final byte[] PREFIX =
      "CompositeAlgorithmSignatures2025".getBytes(StandardCharsets.US_ASCII);
  static final byte[] LABEL = "COMPSIG-MLDSA65-Ed25519-SHA512".getBytes(StandardCharsets.US_ASCII);

  /** The algorithm's object identifier, used in PKCS#8 and SubjectPublicKeyInfo encodings. */
  public static final String OID = "1.3.6.1.5.5.7.6.48";

  public static final int MLDSA_PUBLIC_KEY_BYTES = 1952;
  public static final int ED25519_PUBLIC_KEY_BYTES = 32;
  public static final int PUBLIC_KEY_BYTES = MLDSA_PUBLIC_KEY_BYTES + ED25519_PUBLIC_KEY_BYTES;
  public static final int MLDSA_SIGNATURE_BYTES = 3309;
  public static final int ED25519_SIGNATURE_BYTES = 64;
  public static final int SIGNATURE_BYTES = MLDSA_SIGNATURE_BYTES + ED25519_SIGNATURE_BYTES;

  private CompositeMlDsa() {}

  /** The label, used as ML-DSA's context string. */
  public static byte[] label() {
    return LABEL.clone();
  }

  /** M' for a message and an empty application context. */
  public static byte[] messageRepresentative(byte[] message) {
    byte[] digest = Digests.digest("SHA-512", message);
    byte[] out = new byte[PREFIX.length + LABEL.length + 1 + digest.length];
    System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
    System.arraycopy(LABEL, 0, out, PREFIX.length, LABEL.length);
    out[PREFIX.length + LABEL.length] = 0; // length of the empty context
    System.arraycopy(digest, 0, out, PREFIX.length + LABEL.length + 1, digest.length);
    return out;
  }
}
