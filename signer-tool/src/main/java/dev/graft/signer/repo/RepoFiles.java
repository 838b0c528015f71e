package dev.graft.signer.repo;

import dev.graft.bundle.Digests;
import dev.graft.bundle.tufclient.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** File access for the repository: bounded reads and writes that replace a file atomically. */
final class RepoFiles {
  private RepoFiles() {}

  /**
   * The file's bytes, or empty when there is no such file; a file larger than {@code max} is
   * refused (a metadata file that large is not one Graft wrote).
   */
  static Optional<byte[]> readIfPresent(Path file, long max) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw new RepoException(file + " is larger than " + max + " bytes; refusing to read it");
      }
      return Optional.of(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] read(Path file, long max) {
    return readIfPresent(file, max)
        .orElseThrow(() -> new RepoException("cannot read " + file + ": there is no such file"));
  }

  /** Replaces {@code file} with {@code bytes}: readers see the old or the new file, never a mix. */
  static void writeAtomically(Path file, byte[] bytes) {
    writeAtomically(file, bytes, false);
  }

  /**
   * As {@link #writeAtomically(Path, byte[])}; {@code secret} files are readable by the owner only.
   */
  static void writeAtomically(Path file, byte[] bytes, boolean secret) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      AtomicFile.write(file, bytes, secret ? AtomicFile.OWNER_ONLY : AtomicFile.READABLE_BY_ALL);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String hex(String algorithm, byte[] bytes) {
    return Digests.hex(algorithm, bytes);
  }
}
