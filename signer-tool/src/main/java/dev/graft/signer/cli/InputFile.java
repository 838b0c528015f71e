package dev.graft.signer.cli;

import dev.graft.bundle.Digests;
import dev.graft.signer.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the files a command is given, holding each to a size cap before its bytes are kept: a
 * "bundle" of several gigabytes is refused after reading one byte past the cap, not after filling
 * memory.
 */
final class InputFile {
  private InputFile() {}

  /**
   * The bytes of {@code file}, at most {@code max} of them.
   *
   * @param what what the file should be, for the message ("module", "grant")
   * @throws CliException naming the file when it is missing, a directory or too large
   */
  static byte[] read(Path file, long max, String what) {
    if (Files.isDirectory(file)) {
      throw new CliException(file + " is a directory; give the " + what + " file itself");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw new CliException(
            file + " is larger than " + max + " bytes, the cap for a " + what + "; it is not one");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new CliException(file + " does not exist; check the path of the " + what);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lowercase hex digest; the algorithms used here (SHA-256, SHA-512) are in every JDK. */
  static String hex(String algorithm, byte[] bytes) {
    return Digests.hex(algorithm, bytes);
  }

  static String sha256(byte[] bytes) {
    return hex("SHA-256", bytes);
  }
}
