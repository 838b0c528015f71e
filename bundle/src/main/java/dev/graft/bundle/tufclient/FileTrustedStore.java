package dev.graft.bundle.tufclient;

import dev.graft.bundle.tuf.TrustedStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Trusted metadata in a directory, one file per role under its non-versioned name: {@code
 * root.json}, {@code timestamp.json}, {@code snapshot.json}, {@code targets.json}, and delegated
 * roles as {@code <percent-encoded role name>.json} (see {@link PercentEncoding#segment}), so a
 * role called {@code ../x} or {@code a/b} stays one file inside the directory and two different
 * names never share a file. Each file is replaced atomically and durably.
 */
public final class FileTrustedStore implements TrustedStore {
  private final Path directory;
  private final AtomicFile.ContentWriter writer;

  /**
   * @param directory an existing directory that this store owns
   * @throws IllegalArgumentException if it is not a directory
   */
  public FileTrustedStore(Path directory) {
    this(directory, AtomicFile.FULL_WRITE);
  }

  FileTrustedStore(Path directory, AtomicFile.ContentWriter writer) {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException(
          "metadata directory " + directory + " does not exist or is not a directory");
    }
    this.directory = directory;
    this.writer = writer;
  }

  /** The file that holds a role's metadata. */
  public Path fileFor(String roleName) {
    return directory.resolve(PercentEncoding.segment(roleName) + ".json");
  }

  @Override
  public Optional<byte[]> load(String roleName) {
    Path file = fileFor(roleName);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      String message = file + " is not a regular file; refusing to read trusted metadata from it";
      throw new UncheckedIOException(message, new IOException(message));
    }
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trusted metadata " + file + ": " + e, e);
    }
  }

  @Override
  public void store(String roleName, byte[] bytes) {
    Path file = fileFor(roleName);
    try {
      AtomicFile.replace(file, directory, bytes, writer);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot store trusted " + roleName + " metadata in " + file + ": " + e, e);
    }
  }

  @Override
  public void delete(String roleName) {
    Path file = fileFor(roleName);
    try {
      if (Files.deleteIfExists(file)) {
        AtomicFile.syncDirectory(directory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete trusted metadata " + file + ": " + e, e);
    }
  }
}
