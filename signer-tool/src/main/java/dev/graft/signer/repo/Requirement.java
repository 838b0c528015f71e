package dev.graft.signer.repo;

import dev.graft.bundle.keys.TufKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One threshold a staged role must meet.
 *
 * @param source whose role entry sets it ("root version 3")
 * @param keys the key ids and keys that count
 * @param signed the key ids among them that have validly signed
 */
public record Requirement(
    String source, int threshold, Map<String, TufKey> keys, Set<String> signed) {
  public boolean met() {
    return signed.size() >= threshold;
  }

  public List<String> missing() {
    List<String> missing = new ArrayList<>(keys.keySet());
    missing.removeAll(signed);
    return missing;
  }
}
