package dev.graft.bundle.tuf;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A trusted store in memory, for tests, simulations and one-shot verification. */
public final class InMemoryTrustedStore implements TrustedStore {
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  @Override
  public Optional<byte[]> load(String roleName) {
    byte[] bytes = files.get(roleName);
    return bytes == null ? Optional.empty() : Optional.of(bytes.clone());
  }

  @Override
  public void store(String roleName, byte[] bytes) {
    files.put(roleName, bytes.clone());
  }

  @Override
  public void delete(String roleName) {
    files.remove(roleName);
  }

  /** The role names stored, for tests that assert what was persisted. */
  public Set<String> roleNames() {
    return Set.copyOf(files.keySet());
  }
}
