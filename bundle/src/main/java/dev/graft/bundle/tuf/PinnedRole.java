package dev.graft.bundle.tuf;

import dev.graft.bundle.PinnedKeyMismatchException;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.bundle.metadata.DelegatedRole;
import dev.graft.bundle.metadata.Delegations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A delegated role whose keys the client holds as a trust anchor rather than learning them from the
 * delegating role: whoever delegates it must name exactly these keys (by key material, under any
 * key ids) and exactly this threshold. It stops the holder of the delegator's key from
 * re-delegating the role to keys of their own.
 *
 * @param roleName the delegated role's name, e.g. {@code grants}
 * @param keys the pinned public keys
 * @param threshold the pinned threshold
 */
public record PinnedRole(String roleName, List<TufKey> keys, int threshold) {
  public PinnedRole {
    keys = List.copyOf(keys);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("pinned role " + roleName + " needs at least one key");
    }
    if (threshold < 1 || threshold > keys.size()) {
      throw new IllegalArgumentException(
          "pinned role "
              + roleName
              + ": threshold "
              + threshold
              + " must be between 1 and the "
              + keys.size()
              + " pinned key(s)");
    }
    for (TufKey key : keys) {
      if (Verifiers.forKey(key).isEmpty()) {
        throw new IllegalArgumentException(
            "pinned role "
                + roleName
                + " lists a key of type '"
                + key.keyType()
                + "' Graft cannot use");
      }
    }
    if (fingerprints(keys).size() != keys.size()) {
      throw new IllegalArgumentException("pinned role " + roleName + " lists a key twice");
    }
  }

  /**
   * Checks one delegation of this role.
   *
   * @throws PinnedKeyMismatchException when its keys or threshold differ from the pinned ones
   */
  public void check(String delegator, Delegations delegations, DelegatedRole role) {
    List<TufKey> named = new ArrayList<>();
    for (String keyId : role.keyIds()) {
      TufKey key = delegations.keys().get(keyId);
      if (key == null) {
        throw PinnedKeyMismatchException.unlistedKey(delegator, roleName, keyId);
      }
      named.add(key);
    }
    Set<String> found = fingerprints(named);
    if (found.size() != named.size() || !found.equals(fingerprints(keys))) {
      throw PinnedKeyMismatchException.otherKeys(delegator, roleName, keys.size());
    }
    if (role.threshold() != threshold) {
      throw PinnedKeyMismatchException.otherThreshold(
          delegator, roleName, threshold, role.threshold());
    }
  }

  private static Set<String> fingerprints(List<TufKey> keys) {
    Set<String> out = new TreeSet<>();
    for (TufKey key : keys) {
      Optional<Verifier> verifier = Verifiers.forKey(key);
      out.add(verifier.map(Verifier::fingerprint).orElse("unknown:" + key.keyId()));
    }
    return out;
  }
}
