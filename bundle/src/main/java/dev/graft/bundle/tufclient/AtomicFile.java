package dev.graft.bundle.tufclient;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Graft's one crash-safe file write, used by every module that writes a file someone else reads
 * (trusted metadata, repositories, bundles, downloads, journals): a reader, or the next run after a
 * crash, finds either the old bytes or the new ones, never a mix or a truncated file. Write a
 * temporary file, flush it to disk, rename it over the destination, then flush the directory so the
 * rename itself survives a power cut.
 */
public final class AtomicFile {
  /** Puts the bytes into the temporary file; tests swap it to simulate a failing disk. */
  @FunctionalInterface
  interface ContentWriter {
    void write(FileChannel channel, byte[] bytes) throws IOException;
  }

  static final ContentWriter FULL_WRITE =
      (channel, bytes) -> {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      };

  /** {@code rw-------}: secrets and trusted metadata, and the default. */
  public static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /** {@code rw-r--r--}: files meant to be published or read by other users. */
  public static final Set<PosixFilePermission> READABLE_BY_ALL =
      PosixFilePermissions.fromString("rw-r--r--");

  /**
   * Temporary files end with this, never with {@code .json}, so no reader mistakes one for a role.
   */
  static final String TEMP_SUFFIX = ".tmp";

  private AtomicFile() {}

  /** Writes {@code bytes} to {@code destination}, owner-only, with the temporary file beside it. */
  public static void write(Path destination, byte[] bytes) throws IOException {
    write(destination, bytes, OWNER_ONLY);
  }

  /**
   * Writes {@code bytes} to {@code destination} with these permissions (set on the temporary file,
   * which is owner-only from its first byte), with the temporary file beside it.
   */
  public static void write(Path destination, byte[] bytes, Set<PosixFilePermission> permissions)
      throws IOException {
    replace(destination, directoryOf(destination), bytes, permissions, FULL_WRITE);
  }

  /**
   * Writes {@code bytes} to {@code destination}, owner-only, with the temporary file in {@code
   * tempDirectory} (so that, say, no partial download ever shows in the destination's directory).
   * The two must be on one file system, or the move fails with {@link
   * java.nio.file.AtomicMoveNotSupportedException}; the temporary file is deleted if anything
   * fails.
   */
  public static void replace(Path destination, Path tempDirectory, byte[] bytes)
      throws IOException {
    replace(destination, tempDirectory, bytes, OWNER_ONLY, FULL_WRITE);
  }

  /**
   * Creates {@code destination}, which must not exist, with {@code bytes} in one step: a hard link
   * to a finished temporary file, so a file created meanwhile by someone else is not replaced.
   *
   * @throws FileAlreadyExistsException if {@code destination} exists
   */
  public static void create(Path destination, byte[] bytes, Set<PosixFilePermission> permissions)
      throws IOException {
    Path directory = directoryOf(destination);
    Path temp = writeTemp(destination, directory, bytes, permissions, FULL_WRITE);
    try {
      Files.createLink(destination, temp);
    } finally {
      Files.delete(temp);
    }
    syncDirectory(directory);
  }

  /**
   * Renames {@code finished}, whose content the caller has already forced to disk, over {@code
   * destination} in the same directory, and makes the rename durable.
   */
  public static void moveInto(Path finished, Path destination) throws IOException {
    Files.move(
        finished, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(directoryOf(destination));
  }

  static void replace(Path destination, Path tempDirectory, byte[] bytes, ContentWriter writer)
      throws IOException {
    replace(destination, tempDirectory, bytes, OWNER_ONLY, writer);
  }

  private static void replace(
      Path destination,
      Path tempDirectory,
      byte[] bytes,
      Set<PosixFilePermission> permissions,
      ContentWriter writer)
      throws IOException {
    directoryOf(destination); // fail before writing anything
    Path temp = writeTemp(destination, tempDirectory, bytes, permissions, writer);
    boolean moved = false;
    try {
      moveInto(temp, destination);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** A temporary file in {@code tempDirectory} holding {@code bytes}, forced to disk. */
  private static Path writeTemp(
      Path destination,
      Path tempDirectory,
      byte[] bytes,
      Set<PosixFilePermission> permissions,
      ContentWriter writer)
      throws IOException {
    String name = destination.getFileName().toString();
    // Short prefix: the destination's name may already be near the file-name length limit.
    String prefix = "." + name.substring(0, Math.min(name.length(), 48)) + ".";
    // Created owner-only, so a secret is never readable by others, not even for a moment.
    Path temp = Files.createTempFile(tempDirectory, prefix, TEMP_SUFFIX);
    try {
      if (!permissions.equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(temp, permissions);
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        writer.write(channel, bytes);
        channel.force(true);
      }
      return temp;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  private static Path directoryOf(Path destination) throws IOException {
    Path directory = destination.toAbsolutePath().getParent();
    if (directory == null) {
      throw new IOException(destination + " names no file inside a directory");
    }
    return directory;
  }

  /** Makes a rename or delete in {@code directory} durable (works on Linux file systems). */
  public static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
