package dev.graft.bundle.tufclient;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file so that a reader (or the next run after a crash) finds either the old bytes or
 * the new ones, never a mix or a truncated file: write a temporary file, flush it to disk, rename
 * it over the destination, then flush the directory so the rename itself survives a power cut.
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

  /**
   * Temporary files end with this, never with {@code .json}, so no reader mistakes one for a role.
   */
  static final String TEMP_SUFFIX = ".tmp";

  private AtomicFile() {}

  /**
   * Writes {@code bytes} to {@code destination}, with the temporary file beside it. Nothing ever
   * sees a partial file: the destination holds the old bytes or the new ones.
   */
  public static void write(Path destination, byte[] bytes) throws IOException {
    Path directory = destination.toAbsolutePath().getParent();
    if (directory == null) {
      throw new IOException(destination + " names no file inside a directory");
    }
    replace(destination, directory, bytes, FULL_WRITE);
  }

  /**
   * Writes {@code bytes} to {@code destination} with the temporary file in {@code tempDirectory}
   * (so that, say, no partial download ever shows in the destination's directory). The two must be
   * on one file system, or the move fails with {@link
   * java.nio.file.AtomicMoveNotSupportedException}.
   */
  public static void replace(Path destination, Path tempDirectory, byte[] bytes)
      throws IOException {
    replace(destination, tempDirectory, bytes, FULL_WRITE);
  }

  /**
   * Writes {@code bytes} to {@code destination}. The temporary file is created in {@code
   * tempDirectory}, which must be on the same file system as the destination (the rename must be
   * atomic); it is deleted if anything fails.
   */
  static void replace(Path destination, Path tempDirectory, byte[] bytes, ContentWriter writer)
      throws IOException {
    Path directory = destination.toAbsolutePath().getParent();
    if (directory == null) {
      throw new IOException(destination + " names no file inside a directory");
    }
    String name = destination.getFileName().toString();
    // Short prefix: the destination's name may already be near the file-name length limit.
    String prefix = "." + name.substring(0, Math.min(name.length(), 48)) + ".";
    Path temp = Files.createTempFile(tempDirectory, prefix, TEMP_SUFFIX);
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        writer.write(channel, bytes);
        channel.force(true);
      }
      Files.move(
          temp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
    syncDirectory(directory);
  }

  /** Makes a rename or delete in {@code directory} durable (works on Linux file systems). */
  public static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
