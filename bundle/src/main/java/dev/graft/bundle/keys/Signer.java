package dev.graft.bundle.keys;

/**
 * Makes signatures with one private key, wherever that key lives (a key file, a PKCS#11 token). The
 * signature is the raw signature value in the encoding the key table in {@code trust.md}
 * prescribes; TUF metadata carries it hex-encoded.
 */
public interface Signer {
  /** The public half, as a TUF key object. */
  TufKey publicKey();

  /** The TUF key id of {@link #publicKey()}. */
  default String keyId() {
    return publicKey().keyId();
  }

  byte[] sign(byte[] message);

  /**
   * One line saying where the private key lives and how it is protected, for output that uses it
   * (for example "software key from release-1.pem").
   */
  String description();
}
