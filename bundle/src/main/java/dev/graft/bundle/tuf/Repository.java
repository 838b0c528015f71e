package dev.graft.bundle.tuf;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where metadata and targets come from: HTTP, MQTT, or memory. Untrusted by definition; every byte
 * it returns is checked by the client. Implementations must never read more than {@code maxLength}
 * bytes, and throw {@link dev.graft.bundle.EndlessDataException} when there is more.
 */
public interface Repository {
  /**
   * A metadata file: {@code [version.]roleName.json}, the version prefix present under consistent
   * snapshots and for root's chain. Empty when the repository does not have that file (HTTP 404);
   * any other failure is a {@link dev.graft.bundle.RepositoryException}.
   *
   * @param roleName the role's name as metadata spells it; implementations percent-encode it
   *     wherever it becomes part of a URL
   */
  Optional<byte[]> fetchMetadata(String roleName, OptionalLong version, long maxLength);

  /**
   * A target file by its path as the repository stores it (already hash-prefixed when consistent
   * snapshots are on). A missing target is a {@link dev.graft.bundle.RepositoryException}.
   */
  byte[] fetchTarget(String path, long maxLength);
}
