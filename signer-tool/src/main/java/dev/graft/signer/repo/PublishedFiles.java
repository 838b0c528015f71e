package dev.graft.signer.repo;

import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.tuf.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The served half of a repository directory ({@code metadata/} and {@code targets/}) as the trust
 * core's {@link Repository}, so {@code graft verify} checks it exactly as a gateway's client would
 * check the same files fetched over HTTP or MQTT. It remembers the last metadata file it handed
 * out: when the client refuses, that is the file to name.
 */
public final class PublishedFiles implements Repository {
  private final Path metadata;
  private final Path targets;
  private @Nullable Path lastMetadata;

  public PublishedFiles(Path directory) {
    this.metadata = new RepoLayout(directory).metadataDirectory();
    this.targets = new RepoLayout(directory).targetsDirectory();
  }

  @Override
  public Optional<byte[]> fetchMetadata(String roleName, OptionalLong version, long maxLength) {
    if (!roleName.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
      // Delegated role names come from metadata; one must never walk out of metadata/.
      throw new RepositoryException(
          "role name '" + roleName + "' cannot be a file name in " + metadata);
    }
    Path file =
        metadata.resolve(
            (version.isPresent() ? version.getAsLong() + "." : "") + roleName + ".json");
    Optional<byte[]> bytes = read(file, maxLength);
    if (bytes.isPresent()) {
      lastMetadata = file;
    }
    return bytes;
  }

  @Override
  public byte[] fetchTarget(String path, long maxLength) {
    Path file = targets.resolve(path).normalize();
    if (!file.startsWith(targets.normalize()) || path.startsWith("/")) {
      throw new RepositoryException("target path '" + path + "' leaves " + targets);
    }
    return read(file, maxLength)
        .orElseThrow(() ->
            new RepositoryException(
                file
                    + " does not exist; restore it from your release archive or the published copy"));
  }

  /** The metadata file read last, if any. */
  public Optional<Path> lastMetadata() {
    return Optional.ofNullable(lastMetadata);
  }

  /** Where a target's bytes are, by the path the client asks for. */
  public Path targetFile(String path) {
    return targets.resolve(path);
  }

  private static Optional<byte[]> read(Path file, long maxLength) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxLength + 1));
      if (bytes.length > maxLength) {
        throw EndlessDataException.longerThan(file.toString(), maxLength);
      }
      return Optional.of(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
