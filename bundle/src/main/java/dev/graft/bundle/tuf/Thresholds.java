package dev.graft.bundle.tuf;

import dev.graft.bundle.HybridRequiredException;
import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.bundle.metadata.Signature;
import dev.graft.bundle.metadata.SignedMetadata;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The signature rule every role obeys: at least {@code threshold} distinct keys among those the
 * delegating role lists must have signed the canonical {@code signed} bytes. Distinct means
 * distinct key material: one key listed under two ids counts once. A composite key counts only when
 * both of its halves verify (see {@link Verifiers}), and only when neither half belongs to a key
 * already counted: composite keys (M1, E1) and (M1, E2) are one signer, since whoever holds M1 and
 * can forge Ed25519 signs for both.
 */
public final class Thresholds {
  private Thresholds() {}

  /**
   * Checks the threshold and returns the fingerprints of the keys that signed.
   *
   * @param roleName for messages, e.g. "root" or "targets/firmware"
   */
  public static Set<String> check(
      SignedMetadata<?> metadata,
      String roleName,
      Map<String, TufKey> keys,
      List<String> keyIds,
      int threshold) {
    Map<String, Signature> byKeyId = new HashMap<>();
    for (Signature signature : metadata.signatures()) {
      byKeyId.put(signature.keyId(), signature);
    }
    byte[] message = metadata.canonicalSigned();
    Set<String> signers = new HashSet<>();
    Set<String> countedComponents = new HashSet<>();
    boolean sharedHalf = false;
    for (String keyId : keyIds) {
      TufKey key = keys.get(keyId);
      Signature signature = byKeyId.get(keyId);
      if (key == null || signature == null) {
        continue;
      }
      Optional<Verifier> verifier = Verifiers.forKey(key);
      Optional<byte[]> sig = signature.bytes();
      if (verifier.isEmpty()
          || sig.isEmpty()
          || signers.contains(verifier.get().fingerprint())
          || !verifier.get().verify(message, sig.get())) {
        continue;
      }
      Set<String> components = verifier.get().components();
      if (!Collections.disjoint(components, countedComponents)) {
        sharedHalf = true;
        continue;
      }
      countedComponents.addAll(components);
      signers.add(verifier.get().fingerprint());
    }
    if (signers.size() < threshold) {
      throw ThresholdException.of(
          roleName,
          metadata.signed().version(),
          signers.size(),
          keyIds.size(),
          threshold,
          sharedHalf);
    }
    return signers;
  }

  /** Refuses a role whose keys are not all composite, when hybrid signatures are required. */
  static void requireHybrid(String what, Map<String, TufKey> keys, List<String> keyIds) {
    for (String keyId : keyIds) {
      TufKey key = keys.get(keyId);
      boolean composite = key != null && key.type().map(KeyType::isComposite).orElse(false);
      if (!composite) {
        throw HybridRequiredException.of(what, keyId, key == null ? null : key.keyType());
      }
    }
  }
}
