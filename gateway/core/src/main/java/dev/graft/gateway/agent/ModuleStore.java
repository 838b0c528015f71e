package dev.graft.gateway.agent;

import dev.graft.bundle.Digests;
import dev.graft.bundle.format.BundleReader;
import dev.graft.gateway.agent.journal.ModuleRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The bundle files on the gateway, one per SHA-256, in {@code <data>/modules}: {@code
 * <sha256>.graft} once complete (written by rename after an fsync), {@code <sha256>.graft.part}
 * while a download is in progress. Nothing else belongs there.
 */
final class ModuleStore {
  static final String SUFFIX = ".graft";
  static final String PARTIAL = ".graft.part";

  private final Path directory;

  ModuleStore(Path directory) {
    this.directory = directory;
  }

  Path directory() {
    return directory;
  }

  Path file(String sha256) {
    return directory.resolve(sha256 + SUFFIX);
  }

  Path partial(String sha256) {
    return directory.resolve(sha256 + PARTIAL);
  }

  boolean has(String sha256) {
    return Files.isRegularFile(file(sha256));
  }

  /**
   * Reads a complete bundle whose SHA-256 must be {@code module.sha256()}, refusing a file larger
   * than a bundle can be before reading it.
   *
   * @throws ModuleStoreException when the file is missing, too large or not the bundle the journal
   *     names
   */
  byte[] read(ModuleRef module, int maxBytes) {
    Path path = file(module.sha256());
    try {
      long size = Files.size(path);
      if (size > maxBytes) {
        throw new ModuleStoreException(
            path + " is " + size + " bytes, more than a bundle can be (" + maxBytes + ")");
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(path)) {
        bytes = in.readNBytes(maxBytes + 1);
      }
      String actual = HexFormat.of().formatHex(Digests.sha256(bytes));
      if (!actual.equals(module.sha256())) {
        throw new ModuleStoreException(
            path
                + " does not hold "
                + module.name()
                + " "
                + module.version()
                + ": its SHA-256 is "
                + actual
                + ", the journal records "
                + module.sha256());
      }
      return bytes;
    } catch (IOException e) {
      throw new ModuleStoreException(
          "cannot read " + module.name() + " " + module.version() + " from " + path + ": " + e, e);
    }
  }

  /** The largest bundle file {@link BundleReader#withDefaults()} reads. */
  static int maxBundleBytes() {
    return BundleReader.withDefaults().maxBundleBytes();
  }

  /**
   * Deletes every file that is not the complete bundle of a module in {@code keep}, nor (with
   * {@code keepPartial}) a partial download, which the next check resumes; returns the names of
   * what it removed.
   */
  List<String> removeAllBut(Set<String> keep, boolean keepPartial) {
    List<String> removed = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path path : files) {
        String name = path.getFileName().toString();
        boolean kept =
            (name.endsWith(SUFFIX) && keep.contains(name.substring(0, name.length() - 6)))
                || (name.endsWith(PARTIAL) && keepPartial);
        if (!kept) {
          Files.deleteIfExists(path);
          removed.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + directory, e);
    }
    return removed;
  }

  void delete(String sha256) {
    try {
      Files.deleteIfExists(file(sha256));
      Files.deleteIfExists(partial(sha256));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the files of " + sha256, e);
    }
  }

  /** Thrown when a module file the journal names is missing or altered. */
  static final class ModuleStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ModuleStoreException(String message) {
      super(message);
    }

    ModuleStoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
