package dev.graft.signer.repo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a repository for the length of one changing command, so that two signers
 * working on a shared directory cannot both read the staged file, each add a signature, and lose
 * one of them. Not waiting: the second command is refused and can simply be run again.
 */
public final class RepoLock implements AutoCloseable {
  public static final String FILE_NAME = ".graft.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private RepoLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of the repository in {@code directory}.
   *
   * @throws RepoException when another command holds it
   */
  public static RepoLock acquire(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new RepoException(
          directory
              + " is not a graft repository (no such directory); create one with `graft"
              + " repo init "
              + directory
              + "`");
    }
    Path file = directory.resolve(FILE_NAME);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return new RepoLock(channel, lock);
      }
    } catch (OverlappingFileLockException e) {
      // Held within this process: the same refusal as for another process.
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException(e);
    }
    closeQuietly(channel);
    throw new RepoException(
        "another graft command is changing "
            + directory
            + " right now (it holds "
            + file
            + "); run this command again when it has finished");
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing was locked; the refusal that follows is what matters.
    }
  }
}
