package dev.graft.pkcs11;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads small files without trusting their size: a wrong path to a huge file costs nothing. */
final class BoundedRead {
  private BoundedRead() {}

  /** At most {@code limit + 1} bytes of the file, so that a caller can tell it is too large. */
  static byte[] upTo(Path path, int limit) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(limit + 1);
    }
  }
}
