package dev.graft.bundle.testing;

import dev.graft.bundle.tuf.InMemoryTrustedStore;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The trusted store's contents at one moment, compared byte for byte: the proof that a rejected
 * file changed nothing. {@code toString} shows each role's length and SHA-256, so a failed
 * comparison says which role moved without dumping kilobytes of composite signatures.
 */
public final class StoreContents {
  private final Map<String, byte[]> files;

  private StoreContents(Map<String, byte[]> files) {
    this.files = files;
  }

  public static StoreContents of(InMemoryTrustedStore store) {
    TreeMap<String, byte[]> files = new TreeMap<>();
    for (String role : store.roleNames()) {
      files.put(role, store.load(role).orElseThrow());
    }
    return new StoreContents(files);
  }

  /** These contents with one role's file replaced (the state expected after it verified). */
  public StoreContents with(String role, byte[] bytes) {
    Map<String, byte[]> copy = new TreeMap<>(files);
    copy.put(role, bytes.clone());
    return new StoreContents(copy);
  }

  public Optional<byte[]> file(String role) {
    return Optional.ofNullable(files.get(role)).map(byte[]::clone);
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof StoreContents that) || !files.keySet().equals(that.files.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> entry : files.entrySet()) {
      if (!Arrays.equals(entry.getValue(), that.files.get(entry.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int hash = files.keySet().hashCode();
    for (byte[] bytes : files.values()) {
      hash = 31 * hash + Arrays.hashCode(bytes);
    }
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("{");
    files.forEach((role, bytes) ->
        out.append(out.length() > 1 ? ", " : "")
            .append(role)
            .append('=')
            .append(bytes.length)
            .append(" bytes sha256:")
            .append(RepositoryFixture.sha256(bytes), 0, 16));
    return out.append('}').toString();
  }
}
