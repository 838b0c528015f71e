package dev.graft.bundle.keys;

import java.util.Set;

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

  /**
   * The fingerprints of the key's independent halves: both components of a composite key (as {@code
   * "mldsa65:…"} and {@code "ed25519:…"}), or the key itself. Two composite keys that share a half
   * are not two independent signers: whoever holds that half and can forge the other algorithm
   * signs for both.
   */
  default Set<String> components() {
    return Set.of(fingerprint());
  }

  boolean verify(byte[] message, byte[] signature);
}
