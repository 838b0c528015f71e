package dev.graft.signer.keys;

import dev.graft.signer.CliException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a set of new files (a private key file and its public key file, say) all or nothing: each
 * is written to a temporary file beside its target, with its final permissions from the start, and
 * renamed into place. An existing file is never replaced — key material is not something to lose to
 * a typo — and if any target exists or any step fails, the files already placed are removed again.
 */
public final class NewFiles {
  private NewFiles() {}

  /**
   * One file to create.
   *
   * @param secret whether only the owner may read it (mode 0600; else 0644)
   */
  public record NewFile(Path path, byte[] bytes, boolean secret) {}

  /**
   * Refuses, naming the file, when any of {@code paths} exists: checked before anything slow or
   * irreversible (a key generated on a token) happens.
   */
  public static void requireAbsent(List<Path> paths) {
    for (Path path : paths) {
      if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw exists(path);
      }
    }
  }

  /** Creates every file, or none; see the class comment. */
  public static void createAll(List<NewFile> files) {
    requireAbsent(files.stream().map(NewFile::path).toList());
    List<Path> placed = new ArrayList<>();
    try {
      for (NewFile file : files) {
        place(file);
        placed.add(file.path());
      }
    } catch (RuntimeException e) {
      for (Path path : placed.reversed()) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
  }

  private static void place(NewFile file) {
    Path target = file.path().toAbsolutePath();
    Path temp = null;
    try {
      Files.createDirectories(target.getParent());
      temp =
          Files.createTempFile(
              target.getParent(),
              "." + target.getFileName() + ".",
              ".tmp",
              PosixFilePermissions.asFileAttribute(
                  PosixFilePermissions.fromString(file.secret() ? "rw-------" : "rw-r--r--")));
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(file.bytes());
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        // On disk before it carries the final name: a crash leaves a temp file, never half a key.
        channel.force(true);
      }
      // Without REPLACE_EXISTING the move refuses an existing target (checked again here in case
      // one appeared since requireAbsent).
      Files.move(temp, target);
      temp = null;
    } catch (FileAlreadyExistsException e) {
      throw exists(file.path());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // Best effort: the temp file has a dot name and holds an encrypted or public key.
        }
      }
    }
  }

  private static CliException exists(Path path) {
    return new CliException(
        path
            + " already exists; graft never overwrites a key file. Choose another name, or move"
            + " the old file away if you really mean to replace it");
  }
}
