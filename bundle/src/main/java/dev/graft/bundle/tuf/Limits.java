package dev.graft.bundle.tuf;

/**
 * Caps that bound what an untrusted repository can make the client download and walk. The defaults
 * leave room for composite keys and signatures (each about 4–7 KB of hex): a root with a dozen
 * composite keys and five signatures is about 100 KB.
 */
public record Limits(
    long rootMaxLength,
    long timestampMaxLength,
    long snapshotMaxLength,
    long targetsMaxLength,
    int maxRootRotations,
    int maxDelegations) {

  public static final Limits DEFAULT =
      new Limits(512 * 1024, 64 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024, 32, 32);

  public Limits {
    if (rootMaxLength < 1
        || timestampMaxLength < 1
        || snapshotMaxLength < 1
        || targetsMaxLength < 1
        || maxRootRotations < 1
        || maxDelegations < 1) {
      throw new IllegalArgumentException("every limit must be positive");
    }
  }
}
