package dev.graft.bundle.testing;

import dev.graft.bundle.tuf.InMemoryRepository;
import dev.graft.bundle.tuf.Repository;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A repository that breaks the {@link Repository} contract by returning whole files whatever the
 * length cap: the client must refuse oversized data itself rather than trust its transport.
 */
public final class CapIgnoringRepository implements Repository {
  private final InMemoryRepository files;

  public CapIgnoringRepository(InMemoryRepository files) {
    this.files = files;
  }

  @Override
  public Optional<byte[]> fetchMetadata(String roleName, OptionalLong version, long maxLength) {
    return files.fetchMetadata(roleName, version, Long.MAX_VALUE);
  }

  @Override
  public byte[] fetchTarget(String path, long maxLength) {
    return files.fetchTarget(path, Long.MAX_VALUE);
  }
}
