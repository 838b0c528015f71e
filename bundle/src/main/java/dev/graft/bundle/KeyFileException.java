package dev.graft.bundle;

/**
 * A key file that cannot be used: not a key file of the expected kind, encrypted in a way Graft
 * does not read, damaged, or opened with the wrong passphrase. Messages name the file and the
 * problem, never key material or the passphrase.
 */
public class KeyFileException extends TrustException {
  private static final long serialVersionUID = 1L;

  public KeyFileException(String message) {
    super(message);
  }

  public KeyFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
