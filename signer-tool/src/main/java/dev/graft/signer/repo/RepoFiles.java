package dev.graft.signer.repo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path temp =
          secret
              ? Files.createTempFile(
                  parent,
                  ".graft-",
                  ".tmp",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createTempFile(parent, ".graft-", ".tmp");
      try {
        Files.write(temp, bytes);
        if (!secret) {
          Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        try {
          Files.move(
              temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
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
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required by every Java platform", e);
    }
  }
}
