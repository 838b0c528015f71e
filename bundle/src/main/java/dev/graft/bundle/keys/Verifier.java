package dev.graft.bundle.keys;

/**
 * Checks signatures made by one public key. Implementations never throw for a bad signature; they
 * answer {@code false}, so a threshold count can go on to the next signature.
 */
public interface Verifier {
  /** The TUF key object this verifier was built from. */
  TufKey key();

  /**
   * Identifies the key material itself, independent of the key id a metadata file lists it under:
   * two verifiers with equal fingerprints are the same key and count once toward a threshold.
   */
  String fingerprint();

  boolean verify(byte[] message, byte[] signature);
}
